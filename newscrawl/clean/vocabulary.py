"""What clutter looks like on Japanese news pages. Data only; structure.py and lines.py apply it.

Sources: the seed page (shared/seed), SITES.md §3, and trafilatura's xpaths.py class tokens.
"""

import re

# Elements that never hold article text.
DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "frame", "object", "embed", "ins",
    "form", "button", "input", "select", "textarea", "nav", "aside", "footer", "header",
    "svg", "canvas", "audio", "video", "figure", "figcaption", "map", "dialog", "menu", "rt", "rp",
)

# class / id tokens of clutter containers.  A token is matched as a whole word of the
# class or id (split on spaces, "-" and "_"), so "ad_box" and "sns-share" match but
# "head" or "loaded" do not.  Prefix entries end with "*".
CLUTTER_TOKENS = frozenset({
    "ad", "ads", "adv", "advert", "advertisement", "adsense", "adsbygoogle", "banner", "sponsor",
    "sponsored", "pr", "promo", "share", "sharing", "sns", "social", "related", "relation",
    "recommend", "recommended", "ranking", "rank", "popular", "pickup", "trend", "trending",
    "comment", "comments", "sidebar", "side", "widget", "breadcrumb", "breadcrumbs", "pagination", "pager",
    "nav", "navi", "navigation", "menu", "footer", "header", "login", "signup", "subscribe",
    "newsletter", "caption", "credit", "copyright", "byline", "author", "profile", "tags", "tag",
    "keyword", "keywords", "hashtag", "photo", "gallery", "skip", "hidden", "modal", "popup",
    "cosmosfarm", "sharedaddy", "jp-relatedposts", "yarpp", "addtoany", "a2a",
    "toc", "print", "more", "readmore", "outbrain", "taboola", "dable", "iframe", "tooltip", "badge",
    "like", "likes", "follow", "fb", "facebook", "twitter", "hatena", "pocket", "line-it", "cta",
    "writer", "reporter", "date", "datetime", "published", "updated", "timestamp",
    "image", "images", "img", "imagec", "thumb", "thumbnail", "pic", "picture", "figure", "photos",
})
CLUTTER_PREFIXES = ("adsby", "advert", "sponsor", "recommend", "ranking", "related", "share", "sns", "banner")

# Headings that open a non-article block (the block is the heading's following sibling list).
CLUTTER_HEADING_RE = re.compile(
    r"^\[?\s*(?:ニュース\]?\s*)?(?:"
    r"ランキング|アクセスランキング|人気ランキング|芸能ランキング|人気記事|人気ニュース|人気の記事|"
    r"こんな記事も読まれています|この記事も読まれています|おすすめ(?:ニュース|記事)?|オススメ(?:記事)?|"
    r"話題|今日の話題.*|注目(?:記事|ニュース)|関連記事|関連ニュース|関連キーワード|関連タグ|"
    r"あわせて読みたい|合わせて読みたい|最新記事|新着ニュース|新着記事|最新ニュース|ピックアップ|"
    r"シェア|この記事をシェア|SNSでシェア|スポンサーリンク|スポンサードリンク|スポンサード\s?リンク|"
    r"広告|PR|フォト|写真|オピニオン|多く見られた記事|よく読まれている記事|ranking|related|recommended"
    r")\s*\]?$",
    re.IGNORECASE,
)

# Whole paragraphs that are clutter wherever they appear, by family.  A family is one kind of line
# (a photo credit, a copyright line, a share label ...); its name is the rule name in the clean
# result's counts and trace, and docs/benchmarks.md measures each family with and without it.
# Only shapes and labels of the Japanese web in general belong here; a phrase seen on one site goes
# to that site's profile ([text] drop_lines), where it cannot remove text from other sites.  Every
# family earns its place on real pages or the site fixtures (docs/benchmarks.md, ablation); label
# families that showed no effect on either (skip links, share and ad labels, 続きを読む, breadcrumbs,
# 【関連】 lines, licence notices) were taken out: the blocks around such labels go by class and shape.
LINE_FAMILIES: dict[str, tuple[str, ...]] = {
    "credit": (
        # "引用:KBS", "引用：韓国大統領室": a picture's source on Japanese Korea-news pages (a short line;
        # a long paragraph starting 引用: is a quotation, not a credit)
        r"^[(（]?引用\s*[:：]\s*[^。]{1,40}[)）]?$",
        r"^[(（]?画像出典\s*[:：]",
        r"^[(（]?写真(?:提供)?\s*[=＝:：]",
        r"^[(（]?(?:写真|画像|資料写真)\s*[(（]?[^)）]{0,30}[)）]\s*$",
        # "<what>=<day>、<place>(聯合ニュース)": an agency photo caption printed as a paragraph
        r"^[^。]{0,80}[=＝][^。]{0,40}[(（](?:聯合ニュース|ニューシス|NEWSIS|News1|ニュース1)[)）]$",
        # "(Credit: Clayton Aldern / Grist)", "Photo: Reuters", "Image: Amazon.co.jp"
        r"^[(（]?(?:Credit|Photo(?:graph)?|Image|Illustration|Picture)s?(?: by)?\s*[:：]\s*[^。.]{1,80}[)）]?$",
    ),
    "copyright": (
        r"^(?:ⓒ|©|\(C\)|（C）|Copyright\b|COPYRIGHT\b)",
        r"(?:無断転載|無断複製|All [Rr]ights [Rr]eserved)",
        # "朝鮮日報/朝鮮日報日本語版": the source credit of the Japanese editions of Korean papers
        r"^[^\s。、]{2,20}/[^\s。、]{2,20}日本語版$",
    ),
    "end_mark": (r"^\(END\)$",),  # news agencies close a story so
    "date_line": (
        r"^(?:登録|更新|修正|配信|公開|掲載|記事入力|入力|最終更新|投稿)(?:日時|日)?\s*[:：]?\s*\d{4}\s*[-/.年]",
        r"^[\d\s\-/.:年月日時分秒()（）月火水木金土曜]{8,24}$",  # a date alone on its line
    ),
    "translation_credit": (r"^[(（]?翻訳\s*[:：=＝].{1,30}[)）]?$",),
    # Chinese-language news: the original headline, the source and the editor in charge, the
    # correction link ("（原标题：…）", "本文来源：… 责任编辑：…", "【纠错】 【责任编辑:…】")
    "source_credit": (
        r"^[(（]?原(?:标)?题(?:为)?\s*[:：《]",
        r"^.{0,30}(?:责任编辑|責任編輯|编辑|編輯)\s*[:：].{1,20}$",
        r"^[(（]?(?:本文)?来源\s*[:：].{1,30}[)）]?$",
        r"^【纠错】",
    ),
    # "（本記事は…からの転載です）", "この記事は…に掲載されたものです": where the text was first printed
    "reprint": (
        r"^[(（]?(?:本記事|この記事|本稿)は.{0,80}(?:転載|掲載|配信)(?:した|された|しています|されたもの|です|いたしました).{0,60}[)）]?$",
    ),
}

# Paywall and members-only notices: the line goes, and a body that ends at one is cut short
# (CleanResult.paywalled).  Labels of Japanese news sites' paywalls, and the usual English ones.
PAYWALL_LINE_RES = tuple(re.compile(p) for p in (
    r"(?:この|本)記事は(?:有料|プレミアム|デジタル|無料)?(?:会員|購読者)(?:限定|専用|のみ)",
    r"^(?:有料|プレミアム|無料)?会員限定(?:記事|コンテンツ)?(?:です)?[。！]?$",
    r"残り\s*[\d,，]+\s*(?:文字|字)",
    r"(?:この)?続きは.{0,20}(?:会員|購読|登録|ログイン|有料)",
    r"(?:続き|全文|この記事の続き)を(?:読む|お読み|ご覧)(?:になる|いただく)?には.{0,30}(?:会員|購読|登録|ログイン)",
    r"ログイン(?:して|すると|後に?)(?:続き|全文|記事)",
    r"(?:会員|購読)(?:登録|契約)(?:\s*[(（]無料[)）])?(?:して|すると|で)(?:続き|全文|記事|お読み|読め)",
    r"有料(?:会員|プラン|購読)(?:になる|に登録する|の方)?と(?:続き|全文|記事|お読み|読め)",
    r"^(?:Subscribe|Sign in|Log in) to (?:continue|read)",
    r"^(?:This (?:article|story|content) is (?:only )?(?:available )?(?:for|to) (?:subscribers|members))",
))

# Every paywall pattern above holds one of these words: a line without any is not looked at further.
PAYWALL_KEYWORDS = ("会員", "購読", "残り", "続き", "全文", "ログイン", "有料", "Subscribe", "Sign in", "Log in",
                    "subscribers", "members")

# The body ends before the first paragraph matching one of these.
END_LINE_RES = tuple(re.compile(p) for p in (
    r"^コメント\s*\d+$",
    r"^この記事を書いた人$",
    # a press release's closing contact block
    r"^(?:本件|本リリース|この件|本記事)?に?(?:関する)?(?:お)?問い?合わ?せ(?:先|窓口)$",
))

# A bare e-mail address line: it closes the article (the line before it is the writer's name).
EMAIL_LINE_RE = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)+$")

# Reporter lines that name the author.  The named group "name" is the author.
AUTHOR_LINE_RES = tuple(re.compile(p) for p in (
    r"^記者\s*[:：]\s*(?P<name>[^\s:：]{2,20}(?:\s[^\s:：]{1,20})?)$",
    # "キム・ミンス記者", "キム・ジウン記者 (お問い合わせ japan@hani.co.kr )"
    r"^(?P<name>[^\s、。「」:：=＝]{2,15})\s?記者(?:\s*[(（][^)）]*[)）])?$",
    r"^(?:執筆者|筆者|著者|取材・文|文)\s*[:：=＝]\s*(?P<name>[^\s:：（(]{2,20})(?:\s*[（(][^)）]*[)）])?$",
))

# A "name" from a byline that is an organisation, not a person: the line goes, no author.
ORGANISATION_RE = re.compile(r"(?:編集部|編集局|編集チーム|日本版|ニュース|通信|新聞|News|NEWS|WoW!Korea)$")

# WordPress shortcodes: [name attr="…"], [/name], of any (ASCII) name.
SHORTCODE_RE = re.compile(r"\[/?[A-Za-z][A-Za-z0-9_-]*(?:\s+[^\[\]]*)?/?\]")

# Photo credits inside captions, most specific first; group 1 is the credit.
CREDIT_RES = tuple(re.compile(p) for p in (
    r"[(（]\s*画像出典\s*[:：]\s*([^)）]+)[)）]",
    r"[(（]\s*写真(?:提供)?\s*[=＝:：]\s*([^)）]+)[)）]",
    r"写真(?:提供)?\s*[=＝:：]\s*(.+)$",
    r"引用\s*[:：]\s*(.+)$",
    r"[(（](聯合ニュース|聯合|ニューシス|NEWSIS|news1|ニュース1)[)）]\s*$",
    r"(?:ⓒ|©|\(C\))\s*(.+)$",
))
