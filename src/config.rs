//! Configuration of the old framework, kept: `COM_DIAG_HACKAMORE_NAMEn`, `SERVERn`,
//! `PORTn`, `USERNAMEn`, `SECRETn` (n = 1, 2, ... until a NAME is missing), each read
//! from the environment first, then from `~/.com_diag_hackamore` (lines `KEY=value`,
//! `#` comments, whitespace trimmed). Added here: `TLSn` (yes/no), `CAFILEn` (a PEM file
//! of CA certificates, implies TLS) and `VERIFYn` (`no` skips certificate checks).

use crate::ami::Secret;
use crate::source::{SocketConfig, TlsConfig, Verify};
use std::path::{Path, PathBuf};

pub const DOTFILE: &str = ".com_diag_hackamore";
pub const PREFIX: &str = "COM_DIAG_HACKAMORE_";
pub const DEFAULT_HOST: &str = "127.0.0.1";
pub const DEFAULT_PORT: u16 = 5038;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{key}={value:?} is not a port number (1-65535)")]
    Port { key: String, value: String },
    #[error("{key}={value:?} is not yes or no")]
    Flag { key: String, value: String },
    #[error("{PREFIX}CAFILE{n} and {PREFIX}VERIFY{n}=no contradict each other")]
    VerifyAndCaFile { n: usize },
}

fn flag(key: String, value: Option<String>) -> Result<Option<bool>, ConfigError> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    match value.to_ascii_lowercase().as_str() {
        "yes" | "true" | "on" | "1" => Ok(Some(true)),
        "no" | "false" | "off" | "0" => Ok(Some(false)),
        _ => Err(ConfigError::Flag { key, value }),
    }
}

/// The dotfile in the user's home directory.
pub fn dotfile() -> Option<PathBuf> {
    dirs::home_dir().map(|h| h.join(DOTFILE))
}

/// `keyword` from the environment, else from the file at `path`.
pub fn credential_in(path: Option<&Path>, keyword: &str) -> Option<String> {
    if let Ok(v) = std::env::var(keyword) {
        return Some(v.trim().to_string());
    }
    let text = std::fs::read(path?).ok()?;
    let text = String::from_utf8_lossy(&text);
    text.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or("");
        let (k, v) = line.split_once('=')?;
        (k.trim() == keyword).then(|| v.trim().to_string())
    })
}

/// `keyword` from the environment, else from `~/.com_diag_hackamore`.
pub fn credential(keyword: &str) -> Option<String> {
    credential_in(dotfile().as_deref(), keyword)
}

/// Warn when the dotfile, which holds secrets, is readable by group or others.
#[cfg(unix)]
pub fn check_permissions(path: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).ok()?.permissions().mode();
    (mode & 0o077 != 0).then(|| {
        format!(
            "{} holds AMI secrets but is readable by group or others (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        )
    })
}

/// Every configured PBX, in order.
pub fn servers() -> Result<Vec<SocketConfig>, ConfigError> {
    servers_in(dotfile().as_deref())
}

pub fn servers_in(path: Option<&Path>) -> Result<Vec<SocketConfig>, ConfigError> {
    #[cfg(unix)]
    if let Some(w) = path.filter(|p| p.exists()).and_then(check_permissions) {
        log::warn!("{w}");
    }
    let get = |what: &str, n: usize| credential_in(path, &format!("{PREFIX}{what}{n}"));
    let mut out = Vec::new();
    for n in 1.. {
        let Some(name) = get("NAME", n).filter(|s| !s.is_empty()) else {
            break;
        };
        let host = get("SERVER", n)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| DEFAULT_HOST.into());
        let port = match get("PORT", n).filter(|s| !s.is_empty()) {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or(ConfigError::Port {
                    key: format!("{PREFIX}PORT{n}"),
                    value: p,
                })?,
        };
        let username = get("USERNAME", n).unwrap_or_default();
        let secret = Secret::new(get("SECRET", n).unwrap_or_default());
        let key = |what: &str| format!("{PREFIX}{what}{n}");
        let tls = flag(key("TLS"), get("TLS", n))?;
        let verify = flag(key("VERIFY"), get("VERIFY", n))?;
        let ca_file = get("CAFILE", n).filter(|s| !s.is_empty());
        let verify = match (verify, ca_file) {
            (Some(false), Some(_)) => return Err(ConfigError::VerifyAndCaFile { n }),
            (Some(false), None) => Some(Verify::InsecureSkipVerify),
            (_, Some(path)) => Some(Verify::CaFile(path.into())),
            (_, None) if tls == Some(true) => Some(Verify::SystemRoots),
            (_, None) => None,
        };
        // Never the secret (the old framework logged it).
        log::info!(
            "configured {name} at {host}:{port} as {username:?}{}",
            if verify.is_some() { " over TLS" } else { "" }
        );
        let mut config = SocketConfig::new(name, host, port).credentials(username, secret);
        config.tls = verify.map(TlsConfig::new);
        out.push(config);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotfile_rules() {
        let dir = std::env::temp_dir().join(format!("hackamore-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(DOTFILE);
        std::fs::write(
            &path,
            "# comment\n\n HACKAMORE_T_NAME1 = pbx1 \nHACKAMORE_T_EMPTY=\nHACKAMORE_T_S=a=b # c\n",
        )
        .unwrap();
        assert_eq!(
            credential_in(Some(&path), "HACKAMORE_T_NAME1").as_deref(),
            Some("pbx1")
        );
        assert_eq!(
            credential_in(Some(&path), "HACKAMORE_T_EMPTY").as_deref(),
            Some("")
        );
        assert_eq!(
            credential_in(Some(&path), "HACKAMORE_T_S").as_deref(),
            Some("a=b")
        );
        assert_eq!(credential_in(Some(&path), "HACKAMORE_T_MISSING"), None);
        std::fs::remove_dir_all(&dir).ok();
    }
}
