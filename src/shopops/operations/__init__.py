"""Operations on a whole workspace: backup and restore, renaming and removing a shop.

- ``archive``: the backup file (one ZIP: the warehouse, shopops.yaml, manifest.json) and its checks.
- ``backup``: taking a consistent copy of the warehouse through the one writing connection.
- ``restore``: into a new folder, or over a workspace after backing it up.
- ``shops``: renaming a shop, or removing it with its rows, in one transaction.
"""
