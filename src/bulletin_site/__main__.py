from bulletin_site.cli import main

raise SystemExit(main())
