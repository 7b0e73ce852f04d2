"""`mtb serve`: the web app (mtb.web) on the bundled sample cases or MTB_CASES_DIR, from
MTB_WORKERS processes behind one port (mtb.web.server: gunicorn; waitress on Windows); the
first start creates the site's admin."""

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


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from annotation.index import build_index, index_path
    from mtb.store import Store
    from mtb.web.auth import secret_key
    from mtb.web.server import serve
    from mtb.web.uploads import sweep

    settings = Settings.load({"host": args.host, "port": args.port, "cases_dir": args.cases_dir})
    # once, before any worker starts: the schema, the first admin, the installation's secret,
    # the knowledge-base index, and no upload left over from a server that was killed
    store = Store.open(settings.database_url)
    first_admin(store, err)
    store.close()
    secret_key(settings.data_dir)
    if not index_path(settings.data_dir).is_file():
        build_index(settings.data_dir)
    sweep(settings, older_than=0)
    url = f"http://{settings.host}:{settings.port}/"
    if args.debug:  # Flask's development server with Dash's dev tools: never for patients
        from mtb.web import create_app

        print(f"mtb: serving {settings.cases_dir} on {url} (debug, one process)", file=err)
        app = create_app(settings, store=Store.open(settings.database_url))
        app.run(host=settings.host, port=settings.port, debug=True)
        return 0
    print(f"mtb: serving {settings.cases_dir} on {url} ({settings.workers} processes x "
          f"{settings.threads} threads; Ctrl+C stops)", file=err)
    return serve(settings, err)
