//! Profiles: `thidua login` keeps a server and its API key in a configuration file readable by
//! its owner only — `THIDUA_CONFIG`, else `$XDG_CONFIG_HOME/thidua/config.toml`, else
//! `~/.config/thidua/config.toml` — under a name (`--profile`, default `default`), so an
//! officer does not export the key in every terminal. Flags and the environment still win.

use std::{collections::BTreeMap, io::Write, path::PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// One server and the key used with it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// The server's URL.
    pub server: String,
    /// The API key (a `thd_…` secret).
    pub token: String,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Config {
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// Where the configuration file is, if a home is known.
pub fn path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("THIDUA_CONFIG").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(base.join("thidua").join("config.toml"))
}

fn read(path: &std::path::Path) -> Result<Config, Failure> {
    match std::fs::read_to_string(path) {
        Ok(text) => {
            toml::from_str(&text).map_err(|e| Failure::input(format!("{}: {e}", path.display())))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
        Err(e) => Err(Failure::input(format!("{}: {e}", path.display()))),
    }
}

/// The profile `name`, if the file has it.
pub fn load(name: &str) -> Result<Option<Profile>, Failure> {
    match path() {
        Some(p) => Ok(read(&p)?.profiles.remove(name)),
        None => Ok(None),
    }
}

/// Stores `profile` under `name`, keeping the others; the file is replaced whole (written
/// beside it, then renamed) and readable by its owner only. Returns where it is.
pub fn save(name: &str, profile: Profile) -> Result<PathBuf, Failure> {
    let path = path().ok_or_else(|| Failure::input(crate::i18n::text("err-no-home")))?;
    let mut config = read(&path)?;
    config.profiles.insert(name.to_owned(), profile);
    let text = toml::to_string(&config).map_err(Failure::other)?;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Failure::other(format!("{}: {e}", dir.display())))?;
    let temporary = path.with_extension("toml.new");
    let mut file = {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&temporary)
            .map_err(|e| Failure::other(format!("{}: {e}", temporary.display())))?
    };
    file.write_all(text.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| Failure::other(format!("{}: {e}", temporary.display())))?;
    std::fs::rename(&temporary, &path)
        .map_err(|e| Failure::other(format!("{}: {e}", path.display())))?;
    Ok(path)
}
