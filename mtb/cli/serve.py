"""`mtb serve`: the web app (mtb.web) on waitress, on the bundled sample cases or
MTB_CASES_DIR; the first start creates the site's admin. Beside the app it syncs the cases
folder (new or changed cases get an annotation job; nothing else is annotated again) and, on
the embedded queue, runs a worker thread (mtb.jobs.serve_background)."""

from __future__ import annotations

import argparse
from typing import IO, Any

from mtb.cli.user import first_admin
from mtb.config import Settings


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="start the web app (bundled sample cases by default)")
    serve.add_argument("--host", help="address to listen on (MTB_HOST)")
    serve.add_argument("--port", type=int, help="port (MTB_PORT)")
    serve.add_argument("--cases", dest="cases_dir", help="folder of case folders (MTB_CASES_DIR)")
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    serve.add_argument("--workers", type=int, metavar="N",
                       help="worker threads beside the app (default: 1 on the embedded queue, "
                       "0 with MTB_REDIS_URL, where `mtb worker` runs them)")
    serve.add_argument("--sync-every", type=float, default=60.0, metavar="SECONDS",
                       help="look for new and changed cases this often (0: only at the start)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from mtb.jobs import JobQueue, serve_background
    from mtb.store import Store
    from mtb.web import create_app

    settings = Settings.load({"host": args.host, "port": args.port, "cases_dir": args.cases_dir})
    store = Store.open(settings.database_url)
    first_admin(store, err)
    queue = JobQueue(settings)
    app = create_app(settings, store=store, queue=queue)
    workers = args.workers if args.workers is not None else (1 if queue.embedded else 0)
    serve_background(settings, store, queue, workers=max(0, workers),
                     sync_every=max(0.0, args.sync_every))
    url = f"http://{settings.host}:{settings.port}/"
    print(f"mtb: serving {settings.cases_dir} on {url} (Ctrl+C stops)", file=err)
    if args.debug:  # Flask's development server with Dash's dev tools: never for patients
        app.run(host=settings.host, port=settings.port, debug=True)
        return 0
    from waitress import serve

    serve(app.server, host=settings.host, port=settings.port, threads=8, ident="mtb",
          clear_untrusted_proxy_headers=True)
    return 0
