"""Reusable painting: candlestick item, depth chart, delegates. No data access here."""
