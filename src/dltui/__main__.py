from dltui.cli import main

# The guard matters: the lab worker is spawned, and spawn re-imports the parent's main module.
if __name__ == "__main__":
    raise SystemExit(main())
