"""``python -m propcrm`` runs the ``propcrm`` command."""

from propcrm.cli import main

raise SystemExit(main())
