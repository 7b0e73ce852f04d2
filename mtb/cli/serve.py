"""`mtb serve`: the web app (mtb.web) on the bundled sample cases or MTB_CASES_DIR, from
MTB_WORKERS processes behind one port (mtb.web.server: gunicorn; waitress on Windows); the
first start creates the site's admin. Beside the app it syncs the cases folder (new or changed
cases get an annotation job; nothing else is annotated again) and, on the embedded queue, runs
a job worker thread (mtb.jobs.serve_background), both in a process of its own."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from typing import IO, Any

from mtb.cli.user import first_admin
from mtb.config import Settings


def add_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="start the web app (bundled sample cases by default)")
    serve.add_argument("--host", help="address to listen on (MTB_HOST)")
    serve.add_argument("--port", type=int, help="port (MTB_PORT)")
    serve.add_argument("--cases", dest="cases_dir", help="folder of case folders (MTB_CASES_DIR)")
    serve.add_argument("--debug", action="store_true", help="Dash debug mode (reloader, dev tools)")
    serve.add_argument("--job-workers", type=int, metavar="N",
                       help="job worker threads beside the app (default: 1 on the embedded queue, "
                       "0 with MTB_REDIS_URL, where `mtb worker` runs them)")
    serve.add_argument("--sync-every", type=float, default=60.0, metavar="SECONDS",
                       help="look for new and changed cases this often (0: only at the start)")


def run(args: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    from annotation.index import build_index, index_path
    from mtb.store import Store
    from mtb.web.auth import secret_key
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

    background = _background(settings, args)
    try:
        return _serve(settings, args, err)
    finally:
        if background.poll() is None:
            background.terminate()
            try:
                background.wait(timeout=30)  # a job it was running is taken over later
            except subprocess.TimeoutExpired:
                background.kill()


def _background(settings: Settings, args: argparse.Namespace) -> subprocess.Popen[bytes]:
    """`mtb worker --sync-every`: job worker threads and the cases folder's sync, once per
    server, in a process of its own. Not threads in the server's master process: gunicorn
    forks its workers from the master, and SQLite connections must not cross a fork (a
    worker inherited the master's lock bookkeeping and found the store 'locked')."""
    from mtb.cli.worker import die_with_parent

    threads = args.job_workers if args.job_workers is not None else (
        0 if settings.redis_url else 1)  # with Redis, the site's `mtb worker`s run the jobs
    command = [sys.executable, "-m", "mtb", "worker", "--threads", str(max(0, threads)),
               "--sync-every", str(max(0.0, args.sync_every))]
    env = {**os.environ, "MTB_CASES_DIR": str(settings.cases_dir)}
    return subprocess.Popen(command, env=env, preexec_fn=die_with_parent)


def _serve(settings: Settings, args: argparse.Namespace, err: IO[str]) -> int:
    from mtb.store import Store
    from mtb.web.server import serve

    url = f"http://{settings.host}:{settings.port}/"
    if args.debug:  # Flask's development server with Dash's dev tools: never for patients
        from mtb.web import create_app

        print(f"mtb: serving {settings.cases_dir} on {url} (debug, one process)", file=err)
        app = create_app(settings, store=Store.open(settings.database_url))
        app.run(host=settings.host, port=settings.port, debug=True, use_reloader=False)
        return 0
    print(f"mtb: serving {settings.cases_dir} on {url} ({settings.workers} processes x "
          f"{settings.threads} threads; Ctrl+C stops)", file=err)
    return serve(settings, err)
