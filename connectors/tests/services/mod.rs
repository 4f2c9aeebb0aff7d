//! Real database servers for the connectors' integration tests: [`Postgres`] and [`MariaDb`],
//! each a throwaway instance on a free loopback port with its data in a temporary directory,
//! killed when its handle is dropped (also when an assertion fails). Use it from a test file
//! with `mod services;`.
//!
//! The servers come from `SLUICE_PG_BIN` (PostgreSQL's bin directory: initdb, postgres,
//! pg_isready, psql) and `SLUICE_MARIADB_BIN` (a directory with mariadbd, mariadb-install-db,
//! mariadb-admin, mariadb), which `scripts/test` installs and exports. Check
//! [`postgres_available`] / [`mariadb_available`] first: a missing variable is a failure under
//! `scripts/test` (or with `SLUICE_REQUIRE_TOOLS=1`) and a skip, with a message, under a plain
//! `cargo test`.
//!
//! SQL runs through the servers' own command-line clients (psql, mariadb), so these helpers do
//! not depend on the connector's driver. Both servers can be stopped (cleanly or by a crash) and
//! started again on the same port with the same data, for "the database goes away and comes
//! back" tests.
//!
//! Run as root (as CI does), the servers run as the `postgres` and `mysql` users their packages
//! create; otherwise as the current user.

// Each test file compiles its own copy of this module and uses only part of it.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use tempfile::TempDir;

/// The variable naming PostgreSQL's bin directory.
pub const PG_BIN_VAR: &str = "SLUICE_PG_BIN";
/// The variable naming the directory with MariaDB's server and client programs.
pub const MARIADB_BIN_VAR: &str = "SLUICE_MARIADB_BIN";
/// The database both servers create for the tests.
pub const DATABASE: &str = "sluice_test";
/// How long a server may take to initialise its data directory, or to accept connections.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long a clean stop may take before the server is killed.
const STOP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one SQL client call may take.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);
/// Log lines shown when something fails.
pub const LOG_TAIL: usize = 40;

/// Whether PostgreSQL can be started (see the module documentation).
pub fn postgres_available() -> bool {
    available(PG_BIN_VAR, "PostgreSQL")
}

/// Whether MariaDB can be started (see the module documentation).
pub fn mariadb_available() -> bool {
    available(MARIADB_BIN_VAR, "MariaDB")
}

fn available(var: &str, what: &str) -> bool {
    if std::env::var_os(var).is_some_and(|v| !v.is_empty()) {
        return true;
    }
    let message = format!(
        "{var} is not set, so tests against {what} cannot run: run scripts/test, which installs \
         it and sets {var} (or `eval \"$(scripts/test --deps-only)\"` before cargo test)"
    );
    // scripts/test exports SLUICE_BIN: there a missing server is a failure, not a skip.
    if std::env::var_os("SLUICE_BIN").is_some()
        || std::env::var("SLUICE_REQUIRE_TOOLS").is_ok_and(|v| v == "1")
    {
        panic!("{message}");
    }
    eprintln!("skipped: {message}");
    false
}

fn bin_dir(var: &str) -> PathBuf {
    let dir = std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{var} is not set (check postgres_available/mariadb_available)"));
    PathBuf::from(dir)
}

/// A port that was free a moment ago (the OS picks it; the listener is closed at once).
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0 to find a free port");
    listener
        .local_addr()
        .expect("local address of a bound listener")
        .port()
}

/// The last `lines` lines of a file, lossily decoded; empty when it cannot be read.
fn tail_file(path: &Path, lines: usize) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut f) = File::open(path) {
        let _ = f.read_to_end(&mut bytes);
    }
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Stdout and stderr of a command appended to `log` (appended, so that restarts keep the log).
fn log_to(cmd: &mut Command, log: &Path) {
    let out = File::options()
        .create(true)
        .append(true)
        .open(log)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", log.display()));
    let err = out.try_clone().expect("duplicate a log file handle");
    cmd.stdin(Stdio::null()).stdout(out).stderr(err);
}

/// The uid and gid of the system user `name`, from /etc/passwd.
fn system_user(name: &str) -> Option<(u32, u32)> {
    let passwd = fs::read_to_string("/etc/passwd").ok()?;
    passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.len() > 3 && fields[0] == name)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))
            .flatten()
    })
}

fn running_as_root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The user a server runs as: `None` for the current user, or the uid/gid of `name` when we are
/// root (PostgreSQL refuses to run as root; MariaDB is told to switch with `--user`).
fn server_user(name: &str) -> Option<(u32, u32)> {
    if !running_as_root() {
        return None;
    }
    Some(system_user(name).unwrap_or_else(|| {
        panic!("running as root, but there is no `{name}` user to run the server as")
    }))
}

/// A temporary directory others may traverse (the server user must reach its data inside).
fn service_dir() -> TempDir {
    let dir = TempDir::new().expect("create a temporary directory");
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755))
        .expect("make the temporary directory traversable");
    dir
}

/// Creates `path` owned by `user` (when given) with mode `mode`.
fn make_dir(path: &Path, user: Option<(u32, u32)>, mode: u32) {
    fs::create_dir_all(path).unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(path, Some(uid), Some(gid))
            .unwrap_or_else(|e| panic!("cannot chown {}: {e}", path.display()));
    }
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .unwrap_or_else(|e| panic!("cannot chmod {}: {e}", path.display()));
}

/// Sends `signal` (a name for kill(1), e.g. "QUIT") to the process `pid`.
fn signal(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Waits up to `timeout` for `child` to exit; whether it did.
fn wait_exit(child: &mut Child, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(_)) = child.try_wait() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        sleep(Duration::from_millis(20));
    }
}

/// Runs `cmd` with `input` on stdin, killing it after [`CLIENT_TIMEOUT`]: its stdout, or its
/// stderr (and status) as the error.
fn run_client(mut cmd: Command, input: &str) -> Result<String, String> {
    let described = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {described}: {e}"))?;
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stdout.read_to_end(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = stderr.read_to_end(&mut s);
        s
    });
    if !wait_exit(&mut child, CLIENT_TIMEOUT) {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!(
            "{described} did not finish within {CLIENT_TIMEOUT:?}"
        ));
    }
    let status = child
        .wait()
        .map_err(|e| format!("wait for {described}: {e}"))?;
    let _ = writer.join();
    let out = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let err = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    if status.success() {
        Ok(out)
    } else {
        Err(format!("{described} failed ({status}): {}", err.trim()))
    }
}

/// Splits client output (one row a line, columns separated by tabs) into rows.
fn rows(output: &str) -> Vec<Vec<String>> {
    output
        .lines()
        .map(|line| line.split('\t').map(str::to_owned).collect())
        .collect()
}

/// Runs a one-shot setup program (initdb, mariadb-install-db) to completion, logging to `log`.
fn run_setup(mut cmd: Command, log: &Path, what: &str) {
    log_to(&mut cmd, log);
    let described = format!("{cmd:?}");
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {described}: {e}"));
    if !wait_exit(&mut child, START_TIMEOUT) {
        let _ = child.kill();
        let _ = child.wait();
        panic!(
            "{what} did not finish within {START_TIMEOUT:?}; its log:\n{}",
            tail_file(log, LOG_TAIL)
        );
    }
    let status = child.wait().expect("wait for a setup program");
    assert!(
        status.success(),
        "{what} failed ({status}): {described}; its log:\n{}",
        tail_file(log, LOG_TAIL)
    );
}

// ---------------------------------------------------------------------------------------------

/// A PostgreSQL server on `127.0.0.1:port()`, user `postgres` with no password (trust
/// authentication), database [`DATABASE`] (`sluice_test`). Durable across its own crashes
/// (committed transactions survive [`Postgres::kill`]), not across the machine's (fsync=off).
pub struct Postgres {
    bin: PathBuf,
    port: u16,
    data: PathBuf,
    log: PathBuf,
    user: Option<(u32, u32)>,
    process: Option<Child>,
    /// How long the first start took, initdb included.
    pub startup: Duration,
    dir: TempDir,
}

impl Postgres {
    /// Initialises a data directory, starts the server on a free port, waits until it accepts
    /// connections, and creates the database `sluice_test`. Check [`postgres_available`] first.
    pub fn start() -> Postgres {
        let started = Instant::now();
        let bin = bin_dir(PG_BIN_VAR);
        let dir = service_dir();
        let user = server_user("postgres");
        let data = dir.path().join("data");
        make_dir(&data, user, 0o700);
        let log = dir.path().join("postgres.log");
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C"])
            .args(["--no-sync", "--no-instructions"])
            .current_dir(dir.path());
        as_user(&mut initdb, user);
        run_setup(initdb, &dir.path().join("initdb.log"), "initdb");

        let mut pg = Postgres {
            bin,
            port: 0,
            data,
            log,
            user,
            process: None,
            startup: Duration::ZERO,
            dir,
        };
        // A port taken between choosing it and binding it makes the server exit: try another.
        let mut last_error = String::new();
        for _ in 0..3 {
            pg.port = free_port();
            match pg.spawn() {
                Ok(()) => {
                    pg.execute_in("postgres", &format!("CREATE DATABASE {DATABASE}"));
                    pg.startup = started.elapsed();
                    return pg;
                }
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    fn spawn(&mut self) -> Result<(), String> {
        assert!(self.process.is_none(), "PostgreSQL is already running");
        let mut cmd = Command::new(self.bin.join("postgres"));
        cmd.arg("-D")
            .arg(&self.data)
            .arg("-p")
            .arg(self.port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            // Fast, and still durable across a crash of the server alone: commits are written
            // to the OS (synchronous_commit stays on), only never flushed to the disk.
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "shared_buffers=16MB", "-c", "max_connections=50"])
            .args(["-c", "max_wal_senders=0", "-c", "wal_level=minimal"])
            .current_dir(self.dir.path());
        as_user(&mut cmd, self.user);
        log_to(&mut cmd, &self.log);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
        self.process = Some(child);
        let started = Instant::now();
        loop {
            let process = self.process.as_mut().expect("just spawned");
            if let Ok(Some(status)) = process.try_wait() {
                self.process = None;
                return Err(format!(
                    "PostgreSQL exited ({status}) before accepting connections on port {}; its \
                     log:\n{}",
                    self.port,
                    self.log_tail()
                ));
            }
            let ready = Command::new(self.bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-t", "2", "-p"])
                .arg(self.port.to_string())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "PostgreSQL did not accept connections on port {} within {START_TIMEOUT:?}; \
                     its log:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://postgres@127.0.0.1:PORT/sluice_test` (sqlx's form).
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// `jdbc:postgresql://127.0.0.1:PORT/sluice_test` (the JDBC connector's `connection.url`;
    /// user [`Postgres::user`], no password).
    pub fn jdbc_url(&self) -> String {
        format!("jdbc:postgresql://127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The user, `postgres` (no password needed).
    pub fn user(&self) -> &'static str {
        "postgres"
    }

    /// The database, `sluice_test`.
    pub fn database(&self) -> &'static str {
        DATABASE
    }

    /// Runs `sql` (one or more statements; each in its own transaction unless it says BEGIN)
    /// with psql in the database `sluice_test`, stopping at the first error. Returns psql's
    /// unaligned output: one line a row, columns separated by tabs, no header, NULL as `NULL`.
    /// Panics with psql's message (and the server log) on error.
    pub fn execute(&self, sql: &str) -> String {
        self.execute_in(DATABASE, sql)
    }

    /// [`Postgres::execute`], returning psql's error instead of panicking.
    pub fn try_execute(&self, sql: &str) -> Result<String, String> {
        self.try_execute_in(DATABASE, sql)
    }

    /// The rows a query returns, each a list of column texts (see [`Postgres::execute`]).
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        rows(&self.execute(sql))
    }

    /// [`Postgres::execute`] in another database (e.g. `postgres`).
    pub fn execute_in(&self, database: &str, sql: &str) -> String {
        self.try_execute_in(database, sql)
            .unwrap_or_else(|e| panic!("{e}\nPostgreSQL's log:\n{}", self.log_tail()))
    }

    fn try_execute_in(&self, database: &str, sql: &str) -> Result<String, String> {
        let mut cmd = Command::new(self.bin.join("psql"));
        cmd.args(["-X", "-q", "-A", "-t", "-F", "\t", "-P", "null=NULL"])
            .args(["-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-U", "postgres"])
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-d")
            .arg(database)
            .args(["-f", "-"])
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGPASSWORD")
            .env_remove("PGSERVICE");
        run_client(cmd, sql)
    }

    /// Stops the server cleanly (a fast shutdown: sessions are disconnected, everything
    /// committed is kept). [`Postgres::start_again`] brings it back.
    pub fn stop(&mut self) {
        self.shut_down("INT", STOP_TIMEOUT);
    }

    /// Crashes the server (an immediate shutdown, as `pg_ctl stop -m immediate`: no checkpoint,
    /// crash recovery on the next start; committed transactions survive).
    pub fn kill(&mut self) {
        self.shut_down("QUIT", STOP_TIMEOUT);
    }

    fn shut_down(&mut self, how: &str, timeout: Duration) {
        if let Some(mut child) = self.process.take() {
            signal(child.id(), how);
            if !wait_exit(&mut child, timeout) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Starts the stopped (or killed) server again on the same port with the same data, and
    /// waits until it accepts connections.
    pub fn start_again(&mut self) {
        if let Err(e) = self.spawn() {
            panic!("restarting on the same port: {e}");
        }
    }

    /// [`Postgres::stop`], then [`Postgres::start_again`].
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| matches!(p.try_wait(), Ok(None)))
    }

    /// The end of the server's log (all its runs), for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }

    /// The temporary directory holding its data and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        self.shut_down("QUIT", Duration::from_secs(5));
    }
}

fn as_user(cmd: &mut Command, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
}

// ---------------------------------------------------------------------------------------------

/// A MariaDB server on `127.0.0.1:port()` with database [`DATABASE`] (`sluice_test`) and user
/// `sluice` / password `sluice` (mysql_native_password, all privileges, from any host); `root`
/// with no password works too, over TCP from 127.0.0.1. Durable across its own crashes
/// (committed transactions survive [`MariaDb::kill`]), not across the machine's.
pub struct MariaDb {
    bin: PathBuf,
    port: u16,
    data: PathBuf,
    socket: PathBuf,
    log: PathBuf,
    user: Option<(u32, u32)>,
    process: Option<Child>,
    /// How long the first start took, mariadb-install-db included.
    pub startup: Duration,
    dir: TempDir,
}

/// The user the tests connect as, and its password.
pub const MARIADB_USER: &str = "sluice";
pub const MARIADB_PASSWORD: &str = "sluice";

impl MariaDb {
    /// Initialises a data directory, starts the server on a free port, waits until it accepts
    /// connections, and creates the database `sluice_test` and the user `sluice`. Check
    /// [`mariadb_available`] first.
    pub fn start() -> MariaDb {
        let started = Instant::now();
        let bin = bin_dir(MARIADB_BIN_VAR);
        let dir = service_dir();
        let user = server_user("mysql");
        let data = dir.path().join("data");
        make_dir(&data, user, 0o750);
        let run = dir.path().join("run");
        make_dir(&run, user, 0o755);
        // A temporary directory of its own: servers set up at the same time clash in /tmp.
        let tmp = dir.path().join("tmp");
        make_dir(&tmp, user, 0o750);
        let mut install = Command::new(bin.join("mariadb-install-db"));
        install
            .arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--tmpdir={}", tmp.display()))
            .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
            .args(["--skip-name-resolve", "--skip-log-bin"])
            .current_dir(dir.path());
        if user.is_some() {
            install.arg("--user=mysql");
        }
        run_setup(
            install,
            &dir.path().join("install-db.log"),
            "mariadb-install-db",
        );

        let mut db = MariaDb {
            bin,
            port: 0,
            data,
            socket: run.join("mariadbd.sock"),
            log: dir.path().join("mariadbd.log"),
            user,
            process: None,
            startup: Duration::ZERO,
            dir,
        };
        let mut last_error = String::new();
        for _ in 0..3 {
            db.port = free_port();
            match db.spawn() {
                Ok(()) => {
                    db.execute_as_root(&format!(
                        "CREATE DATABASE {DATABASE};
                         CREATE USER '{MARIADB_USER}'@'%' IDENTIFIED BY '{MARIADB_PASSWORD}';
                         GRANT ALL PRIVILEGES ON *.* TO '{MARIADB_USER}'@'%' WITH GRANT OPTION;"
                    ));
                    db.startup = started.elapsed();
                    return db;
                }
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    fn spawn(&mut self) -> Result<(), String> {
        assert!(self.process.is_none(), "MariaDB is already running");
        let mut cmd = Command::new(self.bin.join("mariadbd"));
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", self.data.display()))
            .arg(format!("--socket={}", self.socket.display()))
            .arg(format!(
                "--tmpdir={}",
                self.dir.path().join("tmp").display()
            ))
            .arg(format!(
                "--pid-file={}",
                self.data.join("mariadbd.pid").display()
            ))
            .arg(format!("--port={}", self.port))
            .args([
                "--bind-address=127.0.0.1",
                "--skip-name-resolve",
                "--skip-log-bin",
            ])
            .args([
                "--innodb-buffer-pool-size=32M",
                "--innodb-log-file-size=16M",
            ])
            // Commits are written to the OS, never flushed: they survive a crash of the server
            // alone, not of the machine.
            .args([
                "--innodb-flush-log-at-trx-commit=2",
                "--innodb-doublewrite=0",
            ])
            .args(["--max-connections=100", "--character-set-server=utf8mb4"])
            .current_dir(self.dir.path());
        if self.user.is_some() {
            cmd.arg("--user=mysql");
        }
        log_to(&mut cmd, &self.log);
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {cmd:?}: {e}"))?;
        self.process = Some(child);
        let started = Instant::now();
        loop {
            let process = self.process.as_mut().expect("just spawned");
            if let Ok(Some(status)) = process.try_wait() {
                self.process = None;
                return Err(format!(
                    "MariaDB exited ({status}) before accepting connections on port {}; its \
                     log:\n{}",
                    self.port,
                    self.log_tail()
                ));
            }
            // Over TCP, as the test user would connect (root's account exists from the start).
            let ready = Command::new(self.bin.join("mariadb"))
                .arg("--no-defaults")
                .args(["--protocol=tcp", "-h", "127.0.0.1", "-u", "root"])
                .arg(format!("--port={}", self.port))
                .args(["--connect-timeout=2", "-e", "SELECT 1"])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "MariaDB did not accept connections on port {} within {START_TIMEOUT:?}; its \
                     log:\n{}",
                    self.port,
                    self.log_tail()
                );
            }
            sleep(Duration::from_millis(50));
        }
    }

    /// The port it listens on (127.0.0.1).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `mysql://sluice:sluice@127.0.0.1:PORT/sluice_test` (sqlx's form).
    pub fn url(&self) -> String {
        format!(
            "mysql://{MARIADB_USER}:{MARIADB_PASSWORD}@127.0.0.1:{}/{DATABASE}",
            self.port
        )
    }

    /// `jdbc:mysql://127.0.0.1:PORT/sluice_test` (the JDBC connector's `connection.url`, with
    /// `connection.user` [`MariaDb::user`] and `connection.password` [`MariaDb::password`]).
    pub fn jdbc_url(&self) -> String {
        format!("jdbc:mysql://127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// `jdbc:mariadb://127.0.0.1:PORT/sluice_test`, MariaDB's own JDBC URL form.
    pub fn jdbc_mariadb_url(&self) -> String {
        format!("jdbc:mariadb://127.0.0.1:{}/{DATABASE}", self.port)
    }

    /// The user, `sluice`.
    pub fn user(&self) -> &'static str {
        MARIADB_USER
    }

    /// The password, `sluice`.
    pub fn password(&self) -> &'static str {
        MARIADB_PASSWORD
    }

    /// The database, `sluice_test`.
    pub fn database(&self) -> &'static str {
        DATABASE
    }

    /// Runs `sql` (one or more statements, `;`-separated, autocommitted) with the mariadb
    /// client as user `sluice` over TCP in the database `sluice_test`, stopping at the first
    /// error. Returns the client's batch output: one line a row, columns separated by tabs, no
    /// header, NULL as `NULL` (tabs, newlines and backslashes inside values are escaped as
    /// `\t`, `\n`, `\\`). Panics with the client's message (and the server log) on error.
    pub fn execute(&self, sql: &str) -> String {
        self.try_execute(sql)
            .unwrap_or_else(|e| panic!("{e}\nMariaDB's log:\n{}", self.log_tail()))
    }

    /// [`MariaDb::execute`], returning the client's error instead of panicking.
    pub fn try_execute(&self, sql: &str) -> Result<String, String> {
        let mut cmd = self.client();
        cmd.arg(format!("--user={MARIADB_USER}"))
            .arg(format!("--password={MARIADB_PASSWORD}"))
            .arg(format!("--database={DATABASE}"));
        run_client(cmd, sql)
    }

    /// The rows a query returns, each a list of column texts (see [`MariaDb::execute`]).
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        rows(&self.execute(sql))
    }

    /// [`MariaDb::execute`] as `root`, with no default database.
    pub fn execute_as_root(&self, sql: &str) -> String {
        let mut cmd = self.client();
        cmd.arg("--user=root");
        run_client(cmd, sql).unwrap_or_else(|e| panic!("{e}\nMariaDB's log:\n{}", self.log_tail()))
    }

    fn client(&self) -> Command {
        let mut cmd = Command::new(self.bin.join("mariadb"));
        cmd.arg("--no-defaults")
            .args(["--protocol=tcp", "-h", "127.0.0.1"])
            .arg(format!("--port={}", self.port))
            .args(["--batch", "--skip-column-names", "--connect-timeout=10"])
            .env_remove("MYSQL_PWD");
        cmd
    }

    /// Stops the server cleanly (SIGTERM: connections are closed, everything committed is
    /// kept). [`MariaDb::start_again`] brings it back.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.process.take() {
            signal(child.id(), "TERM");
            if !wait_exit(&mut child, STOP_TIMEOUT) {
                let _ = child.kill();
                let _ = child.wait();
            }
        }
    }

    /// Crashes the server (SIGKILL; InnoDB recovers on the next start, committed transactions
    /// survive).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.process.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped (or killed) server again on the same port with the same data, and
    /// waits until it accepts connections.
    pub fn start_again(&mut self) {
        if let Err(e) = self.spawn() {
            panic!("restarting on the same port: {e}");
        }
    }

    /// [`MariaDb::stop`], then [`MariaDb::start_again`].
    pub fn restart(&mut self) {
        self.stop();
        self.start_again();
    }

    /// Whether the server process is running.
    pub fn is_running(&mut self) -> bool {
        self.process
            .as_mut()
            .is_some_and(|p| matches!(p.try_wait(), Ok(None)))
    }

    /// The end of the server's log (all its runs), for failure messages.
    pub fn log_tail(&self) -> String {
        tail_file(&self.log, LOG_TAIL)
    }

    /// The temporary directory holding its data and logs.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for MariaDb {
    fn drop(&mut self) {
        self.kill();
    }
}
