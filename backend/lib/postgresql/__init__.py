"""Django's PostgreSQL backend with a connection pool that fails fast while
the server is down (``base.FailFastPool``); settings use it when
``DB_POOL_MAX`` turns the pool on."""
