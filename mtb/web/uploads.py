"""Uploads stream to disk: `POST /add/upload?name=FILE[&upload=ID]` with the file as the body.

A case's files used to travel base64-encoded inside a Dash callback: a curator's 500 MiB upload
peaked the server at 2.8 GB. Now the browser sends each file as it is (assets/30_upload.js),
and the server copies it in 1 MiB pieces into a staging folder of its own
(`<MTB_DATA_DIR>/staging/<random id>/`, owner-only), never holding more than a piece in
memory. The role's limit (MTB_UPLOAD_LIMITS) is checked before the body is read
(mtb.web.limits) and again on what the folder holds. The "Add case" callback then names the
folder's id; mtb.web.intake checks that the folder is the user's own and turns it into a case.

Nothing is left behind: a file whose upload fails, is cut off or is too large is removed at
once; staging folders older than STAGING_TTL are removed whenever an upload starts, and all
of them when the server starts (a server killed mid-upload leaves one).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import ClientDisconnected

from mtb.catalog import uploads_dir
from mtb.config import Settings
from mtb.errors import InputError
from mtb.web.auth import current_actor
from mtb.web.limits import LIMIT_KEY, UPLOAD_PATH

STAGING = "staging"
STAGING_TTL = 3600.0  # seconds: an upload left for an hour is abandoned
OWNER_FILE = ".owner"
PIECE = 1024 * 1024
MAX_FILES = 50
_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def staging_root(settings: Settings) -> Path:
    """Beside the cases (the same file system: a staged folder is renamed into the cases)."""
    return settings.data_dir / STAGING


def sweep(settings: Settings, older_than: float = STAGING_TTL) -> int:
    """Remove staging folders (uploads and cases being added) not touched for `older_than`
    seconds (0: all of them, at the server's start). Returns how many were removed."""
    removed = 0
    cutoff = time.time() - older_than
    candidates: list[Path] = []
    root = staging_root(settings)
    if root.is_dir():
        candidates += [p for p in root.iterdir() if p.is_dir()]
    cases = uploads_dir(settings)
    if cases.is_dir():
        candidates += [p for p in cases.glob(".incoming-*") if p.is_dir()]
    for folder in candidates:
        try:
            if older_than <= 0 or folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        except OSError:
            continue
    return removed


def staged_folder(settings: Settings, upload: str, user: str) -> Path:
    """The staging folder `upload` when it exists and belongs to `user`; else InputError."""
    if not isinstance(upload, str) or not _ID.match(upload):
        raise InputError("files", "the upload is unknown; choose the files again")
    folder = staging_root(settings) / upload
    try:
        owner = (folder / OWNER_FILE).read_text(encoding="utf-8")
    except OSError:
        raise InputError("files", "the upload is unknown or expired; choose the files "
                         "again") from None
    if owner != user:
        raise InputError("files", "the upload is unknown; choose the files again")
    return folder


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def install_uploads(server: Flask, settings: Settings, store: Any) -> None:
    from mtb.web.intake import safe_name

    @server.route(UPLOAD_PATH, methods=["POST"])
    def upload() -> Response:
        actor = current_actor(store)
        if actor is None or not actor.may("add_case"):
            return _answer(403, error="Only curators, chairs and admins add cases.")
        limit = int(request.environ.get(LIMIT_KEY) or settings.upload_limits.get(actor.role, 0))
        if limit <= 0:
            return _answer(403, error=f"{actor.role}s may not upload files.")
        if request.content_length is None:
            return _answer(411, error="the upload needs its size (Content-Length)")
        request.max_content_length = limit  # this route only: callbacks keep their small one
        name = safe_name(request.args.get("name", ""))
        sweep(settings)
        root = staging_root(settings)
        upload_id = request.args.get("upload", "")
        if upload_id:
            try:
                folder = staged_folder(settings, upload_id, actor.name)
            except InputError as error:
                return _answer(400, error=str(error))
        else:
            upload_id = secrets.token_urlsafe(24)
            folder = root / upload_id
            root.mkdir(parents=True, exist_ok=True, mode=0o700)
            folder.mkdir(mode=0o700)
            (folder / OWNER_FILE).write_text(actor.name, encoding="utf-8")
        names = [p.name for p in folder.iterdir() if p.name != OWNER_FILE]
        if name in names:
            return _answer(400, error=f"{name}: two files have the same name")
        if len(names) >= MAX_FILES:
            return _answer(400, error=f"a case has at most {MAX_FILES} files")
        room = limit - folder_size(folder)
        if request.content_length > room:
            return _answer(413, error=f"{name}: the files of one case may have at most "
                                      f"{limit // 2**20} MB together")
        target = folder / name
        try:
            written = _copy(request.stream, target, room, request.content_length)
        except _TooLarge:
            target.unlink(missing_ok=True)
            return _answer(413, error=f"{name}: larger than the {limit // 2**20} MB allowed")
        except ClientDisconnected:
            target.unlink(missing_ok=True)
            return _answer(400, error=f"{name}: the upload was cut off; choose it again")
        except BaseException:  # cut off, or the server is stopping: nothing half-written stays
            target.unlink(missing_ok=True)
            raise
        if written != request.content_length:
            target.unlink(missing_ok=True)
            return _answer(400, error=f"{name}: the upload was cut off; choose it again")
        os.utime(folder)  # in use: not swept while the case is being added
        return _answer(200, upload=upload_id, name=name, size=written)


class _TooLarge(Exception):
    pass


def _copy(stream: Any, target: Path, room: int, declared: int) -> int:
    written = 0
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        while written < declared:
            piece = stream.read(min(PIECE, declared - written))
            if not piece:
                break
            written += len(piece)
            if written > room:
                raise _TooLarge()
            out.write(piece)
    return written


def _answer(status: int, **payload: Any) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")
