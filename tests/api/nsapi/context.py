"""State shared by the suites: where things are, the accounts, the server."""
import itertools
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Account:
    """A user tests/api/run.py creates with the CLI in the template
    database every suite's database is copied from."""
    email: str
    name: str
    role: str
    board: bool
    password: str
    token: str = None   # bearer token from `token create`
    id: str = None      # filled from GET /api/v1/me on first use


class Ctx:
    def __init__(self):
        self.repo = None
        self.bin = None
        self.db_url = None
        self.pg_dir = None
        self.pg_port = None
        self.logdir = None
        self.server = None      # proc.Server once started
        self.api = None         # client.Api bound to the server
        self.run_id = os.urandom(3).hex()
        self.webhook_secret = "webhook secret " + os.urandom(8).hex()
        self.hubspot_secret = "hubspot client secret " + os.urandom(8).hex()
        self._seq = itertools.count(1)
        # The passwords contain spaces: `user add` must take the whole
        # first line of stdin (and only that line).
        self.accounts = {
            "admin": Account("admin@example.test", "Ada Admin", "admin", False, "admin pass phrase 1"),
            "marketer": Account("marketer@example.test", "Mia Marketer", "marketer", False, "marketer pass 2"),
            "rep": Account("rep@example.test", "Rex Rep", "rep", False, "rep pass phrase 3"),
            "board": Account("board@example.test", "Bea Board", "rep", True, "board rep pass 4"),
            # Only for session's failed sign-in comparison, so failed logins
            # elsewhere (or a lockout policy) cannot disturb it.
            "timing": Account("timing@example.test", "Tim Timing", "rep", False, "timing pass 5"),
        }

    def configure(self, repo, env, logdir=None):
        """Reads the environment; returns a list of what is missing."""
        self.repo = Path(repo)
        self.bin = env.get("NEXTSTAGE_BIN")
        self.db_url = env.get("NEXTSTAGE_DATABASE_URL")
        self.pg_dir = env.get("NS_PG_DIR")
        self.pg_port = env.get("NS_PG_PORT")
        self.logdir = Path(logdir) if logdir else self.repo / "var" / "api-test"
        self.logdir.mkdir(parents=True, exist_ok=True)
        missing = [n for n in ("NEXTSTAGE_BIN",) if not env.get(n)]
        if self.bin and not os.access(self.bin, os.X_OK):
            missing.append(f"NEXTSTAGE_BIN={self.bin} (not an executable file)")
        return missing

    def save_tokens(self, path):
        """Writes the accounts' tokens for the suite processes to read."""
        Path(path).write_text(json.dumps({k: a.token for k, a in self.accounts.items()}))

    def load_tokens(self, path):
        for k, tok in json.loads(Path(path).read_text()).items():
            self.accounts[k].token = tok

    def token(self, who):
        return self.accounts[who].token

    def uniq(self, prefix):
        """A fresh slug-safe name: lowercase, digits and dashes."""
        return f"{prefix}-{self.run_id}-{next(self._seq)}"

    def uniq_email(self, prefix="user"):
        return f"{self.uniq(prefix)}@example.test"

    def base_env(self):
        """The environment every child process gets."""
        env = dict(os.environ)
        env.pop("NEXTSTAGE_READ_DATABASE_URL", None)
        env["NEXTSTAGE_DATABASE_URL"] = self.db_url
        env["NEXTSTAGE_MAX_UPLOAD_MB"] = "5"  # 413 tests stay cheap (suites/assets.py)
        env["NEXTSTAGE_WEBHOOK_SECRET"] = self.webhook_secret
        env["NEXTSTAGE_HUBSPOT_CLIENT_SECRET"] = self.hubspot_secret
        return env


ctx = Ctx()
