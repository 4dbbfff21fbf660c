"""Finding article URLs: feeds (RSS/Atom/RDF), sitemaps (with Google news: tags), listing pages."""
