"""Hot reads and live updates, in front of the Django app (townhall.asgi).

    app.py      the ASGI application: thread pages, counts and config answered from memory while
                their version is known, Server-Sent Events, everything else handed to Django
    bridge.py   Django's WSGI handler run on a pool of threads (the fall-through)
    hub.py      this process's memory: cached responses and what invalidates them, subscribers
    broker.py   how a change reaches every process: in process, or Redis pub/sub (a Protocol)
    changes.py  what a change says, built from the comment events on commit
    api.py      the stream's handshake, a Django view (site, URL and origin checked there)
"""
