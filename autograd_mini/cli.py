"""The `autograd-mini` command line."""
def main() -> int:
    return 0
