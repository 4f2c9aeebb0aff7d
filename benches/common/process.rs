//! A child process of a benchmark, with its output in a log file, and free loopback
//! ports. Each bench binary compiles its own copy and uses only part of it.
#![allow(dead_code)]

use std::fs::File;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A child process with its output in a log file; killed on drop.
pub struct Proc {
    child: Child,
    log: PathBuf,
}

impl Proc {
    pub fn spawn(mut cmd: Command, log: &Path) -> Result<Proc, String> {
        let out = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|e| format!("cannot clone a file handle: {e}"))?;
        let child = cmd
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot run {:?}: {e}", cmd.get_program()))?;
        Ok(Proc {
            child,
            log: log.to_path_buf(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    pub fn log_tail(&self, lines: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let all: Vec<&str> = text.lines().collect();
        all[all.len().saturating_sub(lines)..]
            .iter()
            .map(|l| format!("     | {l}\n"))
            .collect()
    }

    /// Distinct WARN/ERROR lines of the log (at most `max`), timestamps dropped.
    pub fn problems(&self, max: usize) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut seen = std::collections::BTreeSet::new();
        let mut out = Vec::new();
        let mut more = 0;
        for line in text.lines() {
            let Some(at) = ["ERROR", "WARN", "panicked", "Exception"]
                .iter()
                .filter_map(|w| line.find(w))
                .min()
            else {
                continue;
            };
            let t: String = line[at..].trim().chars().take(240).collect();
            if seen.insert(t.clone()) {
                if out.len() < max {
                    out.push(t);
                } else {
                    more += 1;
                }
            }
        }
        if more > 0 {
            out.push(format!("... and {more} more distinct lines"));
        }
        out
    }
}

impl Drop for Proc {
    /// SIGTERM (a worker then stops its connectors and leaves its groups), SIGKILL after 15 s.
    fn drop(&mut self) {
        if self.exited().is_none() {
            let _ = Command::new("kill")
                .args(["-TERM", &self.pid().to_string()])
                .stderr(Stdio::null())
                .status();
            let deadline = Instant::now() + Duration::from_secs(15);
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16, String> {
    let listener =
        TcpListener::bind("127.0.0.1:0").map_err(|e| format!("cannot find a free port: {e}"))?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| format!("cannot find a free port: {e}"))
}
