"""``python -m newsarchive.schemas``: rewrite the shipped schema files from the declaration."""

from newsarchive.schemas import write_files

if __name__ == "__main__":
    for path in write_files():
        print(path)
