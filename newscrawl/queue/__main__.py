from newscrawl.distributed.cli import main

raise SystemExit(main())
