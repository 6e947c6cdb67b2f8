"""autograd-mini: a small, exact and fast scalar reverse-mode autodiff engine."""
