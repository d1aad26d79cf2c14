"""Move the ledger's flat modules into rooms by role, and rewrite every reference to them.

``processor/`` is laid out by role: ``domain`` (pure rules, commands, events), ``storage``
(ports, item layouts, codec, the DynamoDB adapter and its in-memory twin), ``reads`` (the
bank's queries, as-of, statements, balances) and ``services`` (the ledger, the appender, jobs,
group commit, the archiver). ``MOVES`` maps each old module to its new one; this script

1. moves each old file that still exists (``git mv`` when the file is tracked),
2. creates each room's ``__init__.py``,
3. rewrites every reference in the tree's text files: ``processor.x`` (imports, mock targets,
   import-linter and mypy lists), ``from processor import x`` and ``processor/x.py`` (docs),
4. sorts the rewritten imports and reformats the touched Python files with ruff.

It is idempotent: on a moved tree it finds nothing to move and nothing to rewrite. Run it again
after merging a branch written against the flat layout; it names any top-level module of
``processor/`` it has no room for (add a line to ``MOVES`` and run it again)::

    python tools/rooms.py            # move and rewrite
    python tools/rooms.py --check    # exit 1 if anything is left to move or rewrite
"""

from __future__ import annotations

import argparse
import io
import re
import subprocess
import sys
import tokenize
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "processor"

ROOMS: dict[str, str] = {
    "domain": "The ledger's domain, pure: commands, events, account state, money and the rules.",
    "storage": "Where the events live: ports, item layouts, codec, DynamoDB and in-memory stores.",
    "reads": "The bank's reads: queries, as-of, statements, balances, JSON shapes of events.",
    "services": "The ledger service: dispatch, the appender, jobs, group commit, the archiver.",
}

#: old module (under ``processor``) -> new module (under ``processor``)
MOVES: dict[str, str] = {
    # domain: pure, no I/O
    "account_state": "domain.account_state",
    "asof_rule": "domain.asof_rule",
    "time_policy": "domain.time_policy",
    "archive": "domain.archive",
    "checks": "domain.checks",
    "command_accounts": "domain.command_accounts",
    "command_base": "domain.command_base",
    "command_money": "domain.command_money",
    "command_pending": "domain.command_pending",
    "commands": "domain.commands",
    "currency": "domain.currency",
    "decide": "domain.decide",
    "decide_money": "domain.decide_money",
    "event_base": "domain.event_base",
    "event_lifecycle": "domain.event_lifecycle",
    "event_money": "domain.event_money",
    "event_pending": "domain.event_pending",
    "events": "domain.events",
    "evolve": "domain.evolve",
    "lifecycle": "domain.lifecycle",
    "limit_model": "domain.limit_model",
    "limits": "domain.limits",
    "linked": "domain.linked",
    "metadata": "domain.metadata",
    "money": "domain.money",
    "outcomes": "domain.outcomes",
    "parsing": "domain.parsing",
    "pending": "domain.pending",
    "pending_model": "domain.pending_model",
    # storage: ports, layouts, adapters
    "accounts": "storage.accounts",
    "append_batch": "storage.append_batch",
    "archive_memory": "storage.archive_memory",
    "archive_ports": "storage.archive_ports",
    "archive_store": "storage.archive_store",
    "codec": "storage.codec",
    "event_reads": "storage.event_reads",
    "memory": "storage.memory",
    "paging": "storage.paging",
    "pending_index": "storage.pending_index",
    "ports": "storage.ports",
    "query_specs": "storage.query_specs",
    "store": "storage.store",
    "txn_details": "storage.txn_details",
    "upcasting": "storage.upcasting",
    # reads
    "asof": "reads.asof",
    "asof_memory": "reads.asof_memory",
    "balance_read": "reads.balance_read",
    "queries": "reads.queries",
    "query_rows": "reads.query_rows",
    "rules_json": "reads.rules_json",
    "statements": "reads.statements",
    "views": "reads.views",
    # services
    "appends": "services.appends",
    "archiver": "services.archiver",
    "config": "services.config",
    "group_commit": "services.group_commit",
    "jobs": "services.jobs",
    "linked_jobs": "services.linked_jobs",
    "ordering": "services.ordering",
    "pending_jobs": "services.pending_jobs",
    "service": "services.ledger",
}

#: top-level entries of ``processor/`` that stay where they are
STAYS = {"__init__", "customers", "offers", *ROOMS}

TEXT_SUFFIXES = {".py", ".pyi", ".toml", ".md", ".txt", ".cfg", ".ini", ".yml", ".yaml", ".sh"}
SKIP_DIRS = {".git", ".venv", "node_modules", ".cache", "__pycache__", ".mypy_cache"}
SELF = Path(__file__).resolve()


def _dotted(old: str) -> re.Pattern[str]:
    return re.compile(rf"\b{PACKAGE}\.{old}\b(?!\.py\b)")


def _slashed(old: str) -> re.Pattern[str]:
    return re.compile(rf"\b{PACKAGE}/{old}\.py\b")


DOTTED = [(_dotted(old), f"{PACKAGE}.{new}") for old, new in MOVES.items()]
SLASHED = [(_slashed(old), f"{PACKAGE}/{new.replace('.', '/')}.py") for old, new in MOVES.items()]
FROM_PACKAGE = re.compile(
    rf"^(?P<indent>[ \t]*)from {PACKAGE} import "
    r"(?:\((?P<group>[^)]*)\)|(?P<names>[^(#\n]+?))[ \t]*(?P<comment>#[^\n]*)?$",
    re.M,
)


def _from_package(match: re.Match[str]) -> str:
    """``from processor import a as b, c`` -> one line per module, from its room."""
    indent = match["indent"]
    kept: list[str] = []
    lines: list[str] = []
    names = match["group"] if match["group"] is not None else match["names"]
    for part in re.sub(r"#[^\n]*", "", names).replace("\n", " ").split(","):
        if not part.strip():
            continue
        name, _, alias = (bit.strip() for bit in part.partition(" as "))
        if name not in MOVES:
            kept.append(part.strip())
            continue
        room, _, base = MOVES[name].rpartition(".")
        alias = alias or (name if base != name else "")
        suffix = f" as {alias}" if alias else ""
        lines.append(f"{indent}from {PACKAGE}.{room} import {base}{suffix}")
    if kept:
        lines.insert(0, f"{indent}from {PACKAGE} import {', '.join(kept)}")
    if match["comment"] and lines:
        lines[0] += f"  {match['comment']}"
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """Every reference to a moved module, pointed at its new place."""
    text = FROM_PACKAGE.sub(_from_package, text)
    for pattern, new in DOTTED:
        text = pattern.sub(new, text)
    for pattern, new in SLASHED:
        text = pattern.sub(new, text)
    return text


LIMIT = 100  # ruff's line-length


def _prose_lines(source: str) -> set[int]:
    """Line numbers (1-based) of comments and of docstrings (a string that is a statement)."""
    lines: set[int] = set()
    previous = tokenize.NEWLINE
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT and token.line.lstrip().startswith("#"):
                lines.add(token.start[0])
            starts_statement = previous in {tokenize.NEWLINE, tokenize.NL, tokenize.INDENT}
            if token.type == tokenize.STRING and starts_statement:
                lines.update(range(token.start[0], token.end[0] + 1))
            if token.type not in {tokenize.COMMENT, tokenize.DEDENT}:
                previous = token.type
    except (tokenize.TokenError, SyntaxError):
        return set()
    return lines


def _wrap(line: str) -> list[str]:
    """A prose line over the limit, broken at its last space that fits."""
    if len(line) <= LIMIT:
        return [line]
    indent = line[: len(line) - len(line.lstrip())]
    lead = indent + ("#: " if line.lstrip().startswith("#:") else "# ")
    lead = lead if line.lstrip().startswith("#") else indent
    cut = line.rfind(" ", len(lead) + 1, LIMIT + 1)
    if cut <= len(lead):
        return [line]
    return [line[:cut], *_wrap(lead + line[cut + 1 :])]


def rewrite_python(text: str) -> str:
    """``rewrite``, and comments or docstrings it made too long broken at a space."""
    old_lines = text.splitlines(keepends=True)
    new_lines = [rewrite(line) for line in old_lines]
    prose = _prose_lines(text)
    out: list[str] = []
    for number, (old, new) in enumerate(zip(old_lines, new_lines, strict=True), start=1):
        body = new.rstrip("\n")
        if number in prose and len(body) > LIMIT >= len(old.rstrip("\n")):
            out.extend(part + "\n" for part in _wrap(body))
        else:
            out.append(new)
    return rewrite("".join(out))


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)


def _tracked(path: Path) -> bool:
    return _git("ls-files", "--error-unmatch", str(path.relative_to(ROOT))).returncode == 0


def move_files(dry: bool) -> list[str]:
    """Move each old module that still exists; returns what was (or would be) moved."""
    base = ROOT / PACKAGE
    done: list[str] = []
    for old, new in MOVES.items():
        source = base / f"{old}.py"
        target = base / (new.replace(".", "/") + ".py")
        if not source.is_file() or target.exists():
            continue
        done.append(f"{source.relative_to(ROOT)} -> {target.relative_to(ROOT)}")
        if dry:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        if _tracked(source):
            _git("mv", str(source), str(target))
        else:
            source.rename(target)
    return done


def make_rooms(dry: bool) -> list[str]:
    made: list[str] = []
    for room, doc in ROOMS.items():
        init = ROOT / PACKAGE / room / "__init__.py"
        if init.exists():
            continue
        made.append(str(init.relative_to(ROOT)))
        if not dry:
            init.parent.mkdir(parents=True, exist_ok=True)
            init.write_text(f'"""{doc}"""\n')
    return made


def text_files() -> Iterable[Path]:
    for path in ROOT.rglob("*"):
        if any(part in SKIP_DIRS for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in TEXT_SUFFIXES and path.resolve() != SELF:
            yield path


def rewrite_tree(dry: bool) -> list[Path]:
    changed: list[Path] = []
    for path in text_files():
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = rewrite_python(text) if path.suffix in {".py", ".pyi"} else rewrite(text)
        if new != text:
            changed.append(path)
            if not dry:
                path.write_text(new)
    return changed


def tidy(paths: list[Path]) -> None:
    """Sort the rewritten imports and re-wrap long lines (ruff, from this interpreter's env)."""
    files = [str(p) for p in paths if p.suffix in {".py", ".pyi"}]
    if not files:
        return
    ruff = [sys.executable, "-m", "ruff"]
    subprocess.run(
        [*ruff, "check", "--no-cache", "--select", "I", "--fix", "-q", *files], check=False
    )
    subprocess.run([*ruff, "format", "--no-cache", "-q", *files], check=False)


def unplaced() -> list[str]:
    base = ROOT / PACKAGE
    names = [p.stem for p in base.glob("*.py")] + [p.name for p in base.iterdir() if p.is_dir()]
    return sorted(n for n in names if n not in STAYS and n not in MOVES and n != "__pycache__")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if work is left"
    )
    args = parser.parse_args(argv)
    moved = move_files(args.check)
    made = make_rooms(args.check)
    changed = rewrite_tree(args.check)
    if not args.check:
        tidy(changed)
    for line in moved:
        print(f"moved      {line}")
    for line in made:
        print(f"room       {line}")
    for path in changed:
        print(f"rewritten  {path.relative_to(ROOT)}")
    for name in unplaced():
        print(f"UNPLACED   {PACKAGE}/{name}: give it a room in MOVES", file=sys.stderr)
    if not (moved or made or changed):
        print("nothing to do: the tree is in rooms")
    return 1 if args.check and (moved or made or changed) else 0


if __name__ == "__main__":
    raise SystemExit(main())
