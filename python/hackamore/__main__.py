from hackamore.cli import main

raise SystemExit(main())
