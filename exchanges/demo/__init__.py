"""The built-in demo venue: a simulated exchange in this process, no network.

`engine` matches orders (price-time priority, funds held and settled), `market` simulates the
price process, market makers and other traders, `tape` keeps trades and candles, and `venue` is
the "demo" adapter over them (`exchanges.create("demo")`).
"""
