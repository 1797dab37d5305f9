"""The local record of the account: fills, orders and balance snapshots (SQLite), their sync
from the venues, CSV import and export, and P&L. Qt-free: the views only display it."""
