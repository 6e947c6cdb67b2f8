"""`python -m autograd_mini`: the same as the `autograd-mini` command."""
from autograd_mini.cli import main

raise SystemExit(main())
