"""Security: SQL is never built from user input, an injection attempt is stored as plain text,
and every file the store creates is readable by its owner only."""

from __future__ import annotations

import ast
import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path

import pytest

import tempcheck

PACKAGE = Path(tempcheck.__file__).parent
INJECTION = "'; DROP TABLE customers; --"
EXECUTE_METHODS = {"execute", "executemany", "executescript"}

# Names that may be interpolated into SQL although the checker cannot prove it by itself.
# Each was read in the code; the reason says why no user input can reach it.
# Key: (file relative to the package, enclosing function or "<module>", name or expression
# as ast.unparse writes it).
ALLOWED: dict[tuple[str, str, str], str] = {
    ("store/team.py", "_exec", "sql"): (
        "the literal template of each caller with {name} fields filled only by q(): schema "
        "names checked against [A-Za-z_][A-Za-z0-9_]* and double-quoted; values go as "
        "parameters"
    ),
    ("store/team.py", "<module>", "_SUMMARY_ROWS"): (
        "the SELECT part of summary.REBUILD_SQL (a module constant) wrapped in literal text"
    ),
    ("store/customers.py", "edit", "column"): (
        "loop over changes.items(); the dict's keys are the literal column names set a few "
        "lines above (name, name_key, cadence_days, kind, contact, notes, calibration_days)"
    ),
    ("store/contacts.py", "edit_contact", "column"): (
        "loop over changes.items(); the dict's keys are the literal column names set a few "
        "lines above (name, name_key, role, email, phone, notes, is_primary)"
    ),
    ("store/migrations.py", "executescript", "statement"): (
        "statements of the CREATE VIRTUAL TABLE / CREATE TRIGGER / INSERT scripts that "
        "sqlite-utils' enable_fts builds from the literal SEARCHABLE table and column names"
    ),
    ("store/migrations.py", "v5_accounts", "statement"): (
        "statements split from the module constant V5_ACCOUNTS_SQL"
    ),
    ("store/scope.py", "narrowed_copy", "statement"): (
        "the module constant _DELETES: DELETE statements built at import from the literal "
        "table names and rules of _BELONGS; they run on a private in-memory copy"
    ),
    ("store/search.py", "search", "_SEARCH_SQL"): (
        "built once at import from the literal _SOURCES SELECTs joined by UNION ALL; the "
        "query text, customer, date and limit go as :named parameters"
    ),
    ("store/summary.py", "bulk_checkins", "name"): (
        "trigger names read from sqlite_master of our own schema (checkins_summary_*), "
        "double-quoted in the DROP TRIGGER statement"
    ),
    ("store/summary.py", "bulk_checkins", "sql"): (
        "the CREATE TRIGGER text read back from sqlite_master a moment earlier, re-executed "
        "verbatim to restore the triggers"
    ),
    ("store/migrations.py", "migrate", "statement"): (
        "statements split from the fixed MIGRATIONS scripts (module constants)"
    ),
    ("store/migrations.py", "migrate", "version"): (
        "an int read from PRAGMA user_version; 'PRAGMA user_version = ?' cannot take a parameter"
    ),
    ("store/timeline.py", "<module>", "PAGE_SQL"): (
        "built once at import by str.format of the module constant _TIMELINE with empty "
        "strings for the keys of the literal _ALIASES dict"
    ),
    ("store/timeline.py", "<module>", "SAME_TIME_SQL"): (
        "_TIMELINE.format with 'AND <column> = :at' for each literal column of _ALIASES; the "
        "time itself is the :at parameter"
    ),
    ("exchange/importing.py", "_insert_customer", "', '.join(values)"): (
        "joins the keys of the local dict `values`, which are the literal column names written "
        "in that function (name, name_key, kind, ..., uid); its values go as ? parameters"
    ),
    ("exchange/importing.py", "_copy", "UUID_SQL"): (
        "the module constant of store/migrations.py: SQLite's own random UUID expression, "
        "the uid column's default, for staged rows without a uid"
    ),
    ("exchange/export.py", "_write_table", "select.as_lines()"): (
        "the _Select comes from the _QUERIES builders: literal column expressions, WHERE "
        "clauses added by _Filter.add as literals with :named parameters, LocalZone.sql "
        "(timestamps from clock.to_stored and int offsets), _word_sql (the WORDS constants) "
        "and csvout's *_cell_sql wrappers around those expressions"
    ),
    ("exchange/export.py", "values", "select.as_values()"): (
        "the same _Select as _write_table's, in its plain-value form: the builders' literal "
        "expressions, _day's julianday() around them and LocalZone.sql's 'wall', 'offset' "
        "and 'serial' forms (stored timestamps, int offsets, the constant day numbers)"
    ),
    ("exchange/transfer.py", "_prepare", "table_sql"): (
        "the CREATE TABLE text of our own checkins table read from sqlite_master, with the "
        "table name replaced by the literal STAGE schema (checked by regex in _schema)"
    ),
    ("exchange/transfer.py", "_prepare", "sql"): (
        "the CREATE INDEX texts of checkins read from sqlite_master, each index name (matched "
        "by regex) replaced by the literal STAGE schema and the same name double-quoted"
    ),
    ("exchange/transfer.py", "_prepare", "fts_sql"): (
        "the CREATE VIRTUAL TABLE text of checkins_fts read from sqlite_master (sqlite-utils "
        "wrote it from SEARCHABLE), its name replaced by the literal STAGE schema and FTS"
    ),
    ("exchange/transfer.py", "_prepare_append", "ordered_uid_sql('r.line')"): (
        "a printf() expression built from this millisecond as hex digits (an int) and the "
        "literal column name r.line; random bits come from SQLite's randomblob()"
    ),
    ("exchange/importing.py", "_cache", "schema"): (
        "one of two literal schema names its callers pass: main or the module constant "
        "_STAGE (the staging database)"
    ),
    ("exchange/importing.py", "_cache", "-1024 * mib"): (
        "an int: a literal number of MiB from each caller (256 or 512) times -1024"
    ),
    ("exchange/transfer.py", "refuse_lost_rows", "customers"): (
        "one of two literal table names its callers pass: main.customers or the staging "
        "database's keys table (the STAGE constant)"
    ),
    ("exchange/export.py", "_snapshot", "min(os.cpu_count() or 1, SORT_THREADS)"): (
        "an int: the number of cores, at most the module constant SORT_THREADS"
    ),
    ("exchange/export.py", "_snapshot", "int(threads)"): (
        "an int read back from PRAGMA threads a moment earlier"
    ),
    ("store/summary.py", "rebuild", "customers"): (
        "SQL text from the one caller that passes it, transfer._append_rows: a literal SELECT "
        "from a table of the staging database (the STAGE constant)"
    ),
    ("exchange/transfer.py", "_prepare", "UUID_SQL"): (
        "the module constant of store/migrations.py: SQLite's own random UUID expression, "
        "the uid column's default, for staged rows without a uid"
    ),
}


FRAGMENTS_MODULE = "tempcheck.store.fragments"


@dataclass
class Finding:
    file: str
    line: int
    source: str


class SqlChecker:
    """Decides whether the SQL text of an execute() call is built only from trusted parts.

    Trusted: string/number literals; ``len()``; f-strings, ``+``/``*``, conditional
    expressions and ``str.format`` calls made only of trusted parts; ``"sep".join(x)``
    where everything put into ``x`` is trusted; elements of trusted containers (including
    loop variables over them); names whose every assignment (in the function, or at module
    level) is trusted; and the ALLOWED entries above. Everything else (``%``, ``.format()``
    with untrusted arguments, other calls, parameters, loops over input) is untrusted.
    """

    def __init__(self, tree: ast.Module, relative: str) -> None:
        self.relative = relative
        self.tree = tree
        self.module_assignments = self._assignments(tree.body, top_level=True)
        self.parents: dict[ast.AST, ast.AST] = {}
        for node in ast.walk(tree):
            for child in ast.iter_child_nodes(node):
                self.parents[child] = node

    # -- collecting what a name is bound to ---------------------------------------------------

    @staticmethod
    def _assignments(body, top_level: bool = False) -> dict[str, list[ast.AST | None]]:
        """name -> values assigned to it (None for bindings whose value is unknown)."""
        found: dict[str, list[ast.AST | None]] = {}
        scopes = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
        if top_level:  # module statements only, not the bodies of functions and classes
            statements = [stmt for stmt in body if not isinstance(stmt, scopes)]
        else:
            statements = list(body)
        nodes = [node for stmt in statements for node in ast.walk(stmt)]

        def element_of(container: ast.AST | None) -> ast.AST | None:
            """An element of a container: as trusted as the container itself."""
            if container is None:
                return None
            return ast.Subscript(value=container, slice=ast.Constant(0), ctx=ast.Load())

        def bind(target: ast.AST, value: ast.AST | None) -> None:
            if isinstance(target, ast.Name):
                found.setdefault(target.id, []).append(value)
            elif isinstance(target, (ast.Tuple, ast.List)):
                values = value.elts if isinstance(value, (ast.Tuple, ast.List)) else None
                for index, element in enumerate(target.elts):
                    if values is not None:
                        bind(element, values[index] if index < len(values) else None)
                    else:  # unpacking an element of a container
                        bind(element, element_of(value))

        for node in nodes:
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    bind(target, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                bind(node.target, node.value)
            elif isinstance(node, ast.NamedExpr):
                bind(node.target, node.value)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
                bind(node.target, element_of(node.iter))
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        bind(item.optional_vars, None)
            elif isinstance(node, ast.ExceptHandler) and node.name:
                found.setdefault(node.name, []).append(None)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in ("append", "extend") and isinstance(node.func.value, ast.Name):
                    arg = node.args[0] if node.args else None
                    if node.func.attr == "extend":
                        arg = arg if isinstance(arg, (ast.List, ast.Tuple)) else None
                    found.setdefault(node.func.value.id, []).append(
                        ast.List(elts=[arg]) if node.func.attr == "append" and arg else arg
                    )
        return found

    def _functions(self, node: ast.AST) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
        chain = []
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                chain.append(node)
        return chain

    # -- judging an expression ----------------------------------------------------------------

    def trusted(self, node: ast.AST | None, functions: list, seen: frozenset = frozenset()) -> bool:
        if node is None:
            return False
        where = functions[0].name if functions else "<module>"
        if (self.relative, where, ast.unparse(node)) in ALLOWED:
            return True
        if isinstance(node, ast.Constant):
            return isinstance(node.value, (str, int, float)) and not isinstance(node.value, bool)
        if isinstance(node, ast.JoinedStr):
            return all(self.trusted(v, functions, seen) for v in node.values)
        if isinstance(node, ast.FormattedValue):
            return self.trusted(node.value, functions, seen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len":
            return True  # an int
        if (  # str.format of a trusted template with trusted arguments
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
        ):
            return (
                self.trusted(node.func.value, functions, seen)
                and all(self.trusted(a, functions, seen) for a in node.args)
                and all(self.trusted(k.value, functions, seen) for k in node.keywords)
            )
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            return self.trusted(node.left, functions, seen) and self.trusted(
                node.right, functions, seen
            )
        if isinstance(node, ast.IfExp):
            return self.trusted(node.body, functions, seen) and self.trusted(
                node.orelse, functions, seen
            )
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.trusted(e, functions, seen) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(
                self.trusted(k, functions, seen) for k in node.keys if k is not None
            ) and all(self.trusted(v, functions, seen) for v in node.values)
        if isinstance(node, ast.Subscript):  # an element of a trusted container is trusted
            return self.trusted(node.value, functions, seen)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant)
            and len(node.args) == 1
        ):
            return self.trusted(node.args[0], functions, seen)
        if isinstance(node, ast.Name):
            return self._trusted_name(node.id, functions, seen)
        return False

    def _trusted_name(self, name: str, functions: list, seen: frozenset) -> bool:
        for index, function in enumerate(functions):
            if (self.relative, function.name, name) in ALLOWED:
                return True
            params = {a.arg for a in ast.walk(function.args) if isinstance(a, ast.arg)}
            if name in params:
                return False
            local = self._assignments(function.body).get(name)
            if local:
                key = (id(function), name)
                if key in seen:
                    return True  # a cycle adds nothing new
                return all(self.trusted(value, functions[index:], seen | {key}) for value in local)
        if (self.relative, "<module>", name) in ALLOWED:
            return True
        if name in self.shared_fragments():  # judged where they are defined
            return True
        values = self.module_assignments.get(name)
        if not values:
            return False
        key = ("module", name)
        if key in seen:
            return True
        return all(self.trusted(value, [], seen | {key}) for value in values)

    def shared_fragments(self) -> set[str]:
        """Names imported from ``tempcheck.store.fragments`` whose own definition is trusted."""
        imported = {
            alias.asname or alias.name
            for node in ast.walk(self.tree)
            if isinstance(node, ast.ImportFrom) and node.module == FRAGMENTS_MODULE
            for alias in node.names
        }
        if not imported:
            return set()
        path = PACKAGE / "store" / "fragments.py"
        tree = ast.parse(path.read_text(encoding="utf-8"))
        checker = SqlChecker(tree, "store/fragments.py")
        return {name for name in imported if checker._trusted_name(name, [], frozenset())}

    def findings(self, tree: ast.Module, source: str) -> tuple[list[Finding], int]:
        bad, checked = [], 0
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in EXECUTE_METHODS
            ):
                continue
            checked += 1
            sql = node.args[0] if node.args else None
            if not self.trusted(sql, self._functions(node)):
                text = ast.get_source_segment(source, node) or ""
                bad.append(Finding(self.relative, node.lineno, text.splitlines()[0][:120]))
        return bad, checked


def check_source(source: str, relative: str = "snippet.py") -> tuple[list[Finding], int]:
    tree = ast.parse(source)
    return SqlChecker(tree, relative).findings(tree, source)


def test_no_sql_is_built_from_untrusted_text() -> None:
    findings: list[Finding] = []
    checked = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        found, count = check_source(path.read_text(encoding="utf-8"), relative)
        findings += found
        checked += count
    assert checked > 50, "the checker should see the store's many execute() calls"
    assert findings == [], "\n".join(f"{f.file}:{f.line}: {f.source}" for f in findings)


@pytest.mark.parametrize(
    "snippet",
    [
        "def f(conn, name):\n    conn.execute(f\"SELECT * FROM t WHERE name = '{name}'\")\n",
        'def f(conn, name):\n    conn.execute("SELECT * FROM t WHERE name = \'" + name + "\'")\n',
        "def f(conn, name):\n    conn.execute(\"SELECT * FROM t WHERE name = '%s'\" % name)\n",
        "def f(conn, n):\n    conn.execute(\"SELECT * FROM t WHERE n = '{}'\".format(n))\n",
        "def f(conn, name):\n    sql = 'SELECT * FROM t'\n    sql += ' WHERE n = ' + name\n"
        "    conn.execute(sql)\n",
        "def f(conn, names):\n    where = []\n    for n in names:\n        where.append(n)\n"
        "    conn.execute('SELECT 1 WHERE ' + ' AND '.join(where))\n",
        "def f(conn, rows):\n    for row in rows:\n        conn.executemany(row, [])\n",
        "import sys\ndef f(conn):\n    conn.executescript(sys.argv[1])\n",
        "def f(conn, column):\n    conn.execute(f'UPDATE customers SET {column} = ?', (1,))\n",
        "def f(conn, rows):\n    for table, column in rows:\n"
        "        conn.execute(f'SELECT {column} FROM {table}')\n",
        "def f(conn, d):\n    conn.execute(f\"SELECT {d['x']} FROM t\")\n",
    ],
    ids=[
        "fstring",
        "concat",
        "percent",
        "format",
        "augassign",
        "join",
        "loop",
        "argv",
        "param",
        "loop-over-input",
        "subscript-of-input",
    ],
)
def test_the_checker_catches_sql_built_from_input(snippet: str) -> None:
    findings, checked = check_source(snippet)
    assert checked == 1 and len(findings) == 1


@pytest.mark.parametrize(
    "snippet",
    [
        "def f(conn, n):\n    conn.execute('SELECT * FROM t WHERE n = ?', (n,))\n",
        "COLS = 'a, b'\ndef f(conn):\n    conn.execute(f'SELECT {COLS} FROM t')\n",
        "BASE = 'SELECT 1'\ndef f(conn, x):\n    where = []\n    if x:\n"
        "        where.append('x = :x')\n    sql = BASE + (' WHERE ' + ' AND '.join(where)"
        " if where else '')\n    conn.execute(sql, {'x': x})\n",
        "T = 'INSERT INTO t ({c}) VALUES ({v})'\nSQL = T.format(c='a, b', v='?, ?')\n"
        "def f(conn, a, b):\n    conn.execute(SQL, (a, b))\n",
        "def f(conn, row):\n    conn.execute('SELECT ' + ', '.join('?' * len(row)), row)\n",
        "COLS = {'a': (('t', 'c'),)}\ndef f(conn, kind):\n    for table, column in COLS[kind]:\n"
        "        conn.execute(f'SELECT {column} FROM {table}')\n",
    ],
)
def test_the_checker_accepts_parameterised_sql(snippet: str) -> None:
    assert check_source(snippet) == ([], 1)


# --- an injection attempt through the CLI ---------------------------------------------------


def schema(path: Path) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT type, name, sql FROM sqlite_master ORDER BY name"
        ).fetchall()
    finally:
        connection.close()


def test_injection_as_name_note_contact_and_query_is_stored_verbatim(run_tc, db_path: Path) -> None:
    assert run_tc("add-customer", "Acme").exit_code == 0
    before = schema(db_path)
    steps = [
        ("add-customer", INJECTION, "--contact", INJECTION, "--notes", INJECTION),
        ("log", INJECTION, "4", INJECTION, "--short", INJECTION),  # exact match on the name
        ("log", "acme", "2", INJECTION),
        ("log", "Robert'); DROP TABLE checkins;--", "3", "--create"),
        ("edit", "acme", "--contact", INJECTION),
        ("list", "--format", "json"),
    ]
    for args in steps:
        result = run_tc(*args)
        assert result.exit_code == 0, (args, result.output)
    assert schema(db_path) == before
    connection = sqlite3.connect(db_path)
    try:
        customers = connection.execute(
            "SELECT name, contact, notes FROM customers ORDER BY id"
        ).fetchall()
        checkin_notes = connection.execute(
            "SELECT note, fell_short FROM checkins ORDER BY id"
        ).fetchall()
    finally:
        connection.close()
    assert customers == [
        ("Acme", INJECTION, ""),
        (INJECTION, INJECTION, INJECTION),
        ("Robert'); DROP TABLE checkins;--", "", ""),
    ]
    assert checkin_notes == [(INJECTION, INJECTION), (INJECTION, ""), ("", "")]


def test_injection_in_a_failing_lookup_and_config(run_tc, db_path: Path) -> None:
    assert run_tc("add-customer", "Acme").exit_code == 0
    before = schema(db_path)
    assert run_tc("log", "x" + INJECTION, "4").exit_code == 2
    assert run_tc("config", INJECTION, "1").exit_code == 1
    assert run_tc("config", "cadence.default", INJECTION).exit_code == 1
    assert run_tc("edit", "acme", "--rename", INJECTION).exit_code == 0
    assert schema(db_path) == before
    connection = sqlite3.connect(db_path)
    assert connection.execute("SELECT name FROM customers").fetchall() == [(INJECTION,)]
    connection.close()


# --- private files -------------------------------------------------------------------------


def modes(folder: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode) for p in folder.iterdir()}


@pytest.mark.parametrize("umask", [0o022, 0o000], ids=["umask-022", "umask-000"])
def test_files_created_through_the_cli_are_owner_only(run_tc, tmp_path: Path, umask: int) -> None:
    from tempcheck.store import open_db

    folder = tmp_path / "new-folder"
    path = folder / "tempcheck.db"
    old = os.umask(umask)
    try:
        assert run_tc("add-customer", "Acme", db=path).exit_code == 0
        assert run_tc("log", "acme", "4", "confidential", db=path).exit_code == 0
        connection = open_db(path)  # keep the -wal and -shm files in place while we look
        try:
            connection.execute("SELECT count(*) FROM checkins").fetchone()
            found = modes(folder)
        finally:
            connection.close()
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert {"tempcheck.db", "tempcheck.db-wal", "tempcheck.db-shm"} <= set(found)
    assert all(mode == 0o600 for mode in found.values()), {k: oct(v) for k, v in found.items()}
