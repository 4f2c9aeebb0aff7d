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

/// What a kind of server does its own way: the command that runs it, how it is asked whether it
/// accepts connections, and the signals that stop it. [`Server`] does the rest.
pub trait Kind: Sized {
    /// Its name in messages.
    const NAME: &'static str;
    /// The signal of a clean stop.
    const STOP_SIGNAL: &'static str;
    /// The signal of a crash; `None`: SIGKILL at once.
    const CRASH_SIGNAL: Option<&'static str>;

    /// The command that runs the server on `server.port` (its output is logged by the caller).
    fn command(server: &Server<Self>) -> Command;

    /// Whether the running server accepts connections.
    fn ready(server: &Server<Self>) -> bool;

    /// Runs `sql` with the server's own client in the database `sluice_test` (see
    /// [`Server::execute`]): the client's output, or its error.
    fn try_execute(server: &Server<Self>, sql: &str) -> Result<String, String>;
}

/// A server process of kind `K` ([`Postgres`], [`MariaDb`]) on a loopback port, with its data,
/// log and temporary files in a directory of its own; killed when dropped.
pub struct Server<K: Kind> {
    bin: PathBuf,
    port: u16,
    log: PathBuf,
    user: Option<(u32, u32)>,
    process: Option<Child>,
    /// How long the first start took, the data directory's initialisation included.
    pub startup: Duration,
    dir: TempDir,
    kind: K,
}

impl<K: Kind> Server<K> {
    /// Starts a server whose data directory is set up, on a free port, and runs `setup` once it
    /// accepts connections. A port taken between choosing it and binding it makes the server
    /// exit: then another is tried.
    fn launch(
        started: Instant,
        bin: PathBuf,
        dir: TempDir,
        user: Option<(u32, u32)>,
        log: PathBuf,
        kind: K,
        setup: impl Fn(&Self),
    ) -> Self {
        let mut server = Server {
            bin,
            port: 0,
            log,
            user,
            process: None,
            startup: Duration::ZERO,
            dir,
            kind,
        };
        let mut last_error = String::new();
        for _ in 0..3 {
            server.port = free_port();
            match server.spawn() {
                Ok(()) => {
                    setup(&server);
                    server.startup = started.elapsed();
                    return server;
                }
                Err(e) => last_error = e,
            }
        }
        panic!("{last_error}");
    }

    /// Starts the process and waits until it accepts connections; an error if it exits first.
    fn spawn(&mut self) -> Result<(), String> {
        assert!(self.process.is_none(), "{} is already running", K::NAME);
        let mut cmd = K::command(self);
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
                    "{} exited ({status}) before accepting connections on port {}; its log:\n{}",
                    K::NAME,
                    self.port,
                    self.log_tail()
                ));
            }
            if K::ready(self) {
                return Ok(());
            }
            if started.elapsed() > START_TIMEOUT {
                panic!(
                    "{} did not accept connections on port {} within {START_TIMEOUT:?}; its \
                     log:\n{}",
                    K::NAME,
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

    /// The database, `sluice_test`.
    pub fn database(&self) -> &'static str {
        DATABASE
    }

    /// Stops the server cleanly (everything committed is kept). [`Server::start_again`] brings
    /// it back.
    pub fn stop(&mut self) {
        self.shut_down(Some(K::STOP_SIGNAL), STOP_TIMEOUT);
    }

    /// Crashes the server (no clean shutdown: crash recovery on the next start; committed
    /// transactions survive).
    pub fn kill(&mut self) {
        self.shut_down(K::CRASH_SIGNAL, STOP_TIMEOUT);
    }

    /// Sends `how` (`None`: SIGKILL) and waits up to `timeout` before killing it.
    fn shut_down(&mut self, how: Option<&str>, timeout: Duration) {
        if let Some(mut child) = self.process.take() {
            let exited = match how {
                Some(how) => {
                    signal(child.id(), how);
                    wait_exit(&mut child, timeout)
                }
                None => false,
            };
            if !exited {
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

    /// [`Server::stop`], then [`Server::start_again`].
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

    /// Runs `sql` (one or more statements) with the server's own client in the database
    /// `sluice_test`, stopping at the first error. Returns the client's output: one line a row,
    /// columns separated by tabs, no header, NULL as `NULL` (see each kind's
    /// [`Kind::try_execute`] for the details). Panics with the client's message (and the server
    /// log) on error.
    pub fn execute(&self, sql: &str) -> String {
        self.or_panic(self.try_execute(sql))
    }

    /// [`Server::execute`], returning the client's error instead of panicking.
    pub fn try_execute(&self, sql: &str) -> Result<String, String> {
        K::try_execute(self, sql)
    }

    /// The rows a query returns, each a list of column texts (see [`Server::execute`]).
    pub fn query(&self, sql: &str) -> Vec<Vec<String>> {
        rows(&self.execute(sql))
    }

    /// The output of a client call, or a panic with its error and the server's log.
    fn or_panic(&self, result: Result<String, String>) -> String {
        result.unwrap_or_else(|e| panic!("{e}\n{}'s log:\n{}", K::NAME, self.log_tail()))
    }
}

impl<K: Kind> Drop for Server<K> {
    fn drop(&mut self) {
        self.shut_down(K::CRASH_SIGNAL, Duration::from_secs(5));
    }
}

fn as_user(cmd: &mut Command, user: Option<(u32, u32)>) {
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
    }
}

// ---------------------------------------------------------------------------------------------

/// A PostgreSQL server on `127.0.0.1:port()`, user `postgres` with no password (trust
/// authentication), database [`DATABASE`] (`sluice_test`). Durable across its own crashes
/// (committed transactions survive [`Server::kill`]), not across the machine's (fsync=off).
/// A clean stop is a fast shutdown (sessions are disconnected); a crash an immediate one, as
/// `pg_ctl stop -m immediate`.
pub type Postgres = Server<Pg>;

/// PostgreSQL's specifics (see [`Postgres`]).
pub struct Pg {
    data: PathBuf,
}

impl Kind for Pg {
    const NAME: &'static str = "PostgreSQL";
    const STOP_SIGNAL: &'static str = "INT";
    const CRASH_SIGNAL: Option<&'static str> = Some("QUIT");

    fn command(server: &Postgres) -> Command {
        let mut cmd = Command::new(server.bin.join("postgres"));
        cmd.arg("-D")
            .arg(&server.kind.data)
            .arg("-p")
            .arg(server.port.to_string())
            .args(["-c", "listen_addresses=127.0.0.1"])
            .args(["-c", "unix_socket_directories="])
            // Fast, and still durable across a crash of the server alone: commits are written
            // to the OS (synchronous_commit stays on), only never flushed to the disk.
            .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
            .args(["-c", "shared_buffers=16MB", "-c", "max_connections=50"])
            .args(["-c", "max_wal_senders=0", "-c", "wal_level=minimal"])
            .current_dir(server.dir.path());
        as_user(&mut cmd, server.user);
        cmd
    }

    fn ready(server: &Postgres) -> bool {
        Command::new(server.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-t", "2", "-p"])
            .arg(server.port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// With psql; each statement in its own transaction unless it says BEGIN; unaligned output.
    fn try_execute(server: &Postgres, sql: &str) -> Result<String, String> {
        server.try_execute_in(DATABASE, sql)
    }
}

impl Server<Pg> {
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
        Server::launch(started, bin, dir, user, log, Pg { data }, |pg| {
            pg.execute_in("postgres", &format!("CREATE DATABASE {DATABASE}"));
        })
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

    /// [`Server::execute`] in another database (e.g. `postgres`).
    pub fn execute_in(&self, database: &str, sql: &str) -> String {
        self.or_panic(self.try_execute_in(database, sql))
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
}

// ---------------------------------------------------------------------------------------------

/// A MariaDB server on `127.0.0.1:port()` with database [`DATABASE`] (`sluice_test`) and user
/// `sluice` / password `sluice` (mysql_native_password, all privileges, from any host); `root`
/// with no password works too, over TCP from 127.0.0.1. Durable across its own crashes
/// (committed transactions survive [`Server::kill`]), not across the machine's. A clean stop is
/// SIGTERM (connections are closed); a crash SIGKILL (InnoDB recovers on the next start).
pub type MariaDb = Server<Maria>;

/// MariaDB's specifics (see [`MariaDb`]).
pub struct Maria {
    data: PathBuf,
    socket: PathBuf,
}

/// The user the tests connect as, and its password.
pub const MARIADB_USER: &str = "sluice";
pub const MARIADB_PASSWORD: &str = "sluice";

impl Kind for Maria {
    const NAME: &'static str = "MariaDB";
    const STOP_SIGNAL: &'static str = "TERM";
    const CRASH_SIGNAL: Option<&'static str> = None;

    fn command(server: &MariaDb) -> Command {
        let data = &server.kind.data;
        let mut cmd = Command::new(server.bin.join("mariadbd"));
        cmd.arg("--no-defaults")
            .arg(format!("--datadir={}", data.display()))
            .arg(format!("--socket={}", server.kind.socket.display()))
            .arg(format!(
                "--tmpdir={}",
                server.dir.path().join("tmp").display()
            ))
            .arg(format!(
                "--pid-file={}",
                data.join("mariadbd.pid").display()
            ))
            .arg(format!("--port={}", server.port))
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
            .current_dir(server.dir.path());
        if server.user.is_some() {
            cmd.arg("--user=mysql");
        }
        cmd
    }

    fn ready(server: &MariaDb) -> bool {
        // Over TCP, as the test user would connect (root's account exists from the start).
        Command::new(server.bin.join("mariadb"))
            .arg("--no-defaults")
            .args(["--protocol=tcp", "-h", "127.0.0.1", "-u", "root"])
            .arg(format!("--port={}", server.port))
            .args(["--connect-timeout=2", "-e", "SELECT 1"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// With the mariadb client as user `sluice` over TCP; statements `;`-separated and
    /// autocommitted; batch output (tabs, newlines and backslashes inside values are escaped
    /// as `\t`, `\n`, `\\`).
    fn try_execute(server: &MariaDb, sql: &str) -> Result<String, String> {
        let mut cmd = server.client();
        cmd.arg(format!("--user={MARIADB_USER}"))
            .arg(format!("--password={MARIADB_PASSWORD}"))
            .arg(format!("--database={DATABASE}"));
        run_client(cmd, sql)
    }
}

impl Server<Maria> {
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
        let log = dir.path().join("mariadbd.log");
        let kind = Maria {
            data,
            socket: run.join("mariadbd.sock"),
        };
        Server::launch(started, bin, dir, user, log, kind, |db| {
            db.execute_as_root(&format!(
                "CREATE DATABASE {DATABASE};
                 CREATE USER '{MARIADB_USER}'@'%' IDENTIFIED BY '{MARIADB_PASSWORD}';
                 GRANT ALL PRIVILEGES ON *.* TO '{MARIADB_USER}'@'%' WITH GRANT OPTION;"
            ));
        })
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

    /// [`Server::execute`] as `root`, with no default database.
    pub fn execute_as_root(&self, sql: &str) -> String {
        let mut cmd = self.client();
        cmd.arg("--user=root");
        self.or_panic(run_client(cmd, sql))
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
}
