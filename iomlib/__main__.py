from iomlib.cli import main

raise SystemExit(main())
