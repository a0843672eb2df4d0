//! What the tests of the store, in this crate and beside it, share: a throwaway PostgreSQL database.

/// Runs `f` with the URL of a new PostgreSQL database on the server of `LANTIAN_TEST_PG`
/// (`postgres://user@host:port`), dropped after `f` (also when it panics). With `icu`, the database's
/// default collation is a language's where the server has ICU (ICU en-US, where `a` sorts before `B`),
/// so that only the schema's byte-order text keeps SQLite's order. Without the variable, says that the
/// test `tag` is skipped and returns (the CI sets it, so that no PostgreSQL test is skipped there).
pub fn with_pg_database(tag: &str, icu: bool, f: impl FnOnce(&str) + std::panic::UnwindSafe) {
    let Ok(server) = std::env::var("LANTIAN_TEST_PG") else {
        eprintln!("LANTIAN_TEST_PG is not set: the PostgreSQL test {tag} is skipped");
        return;
    };
    let server = server.trim_end_matches('/');
    let base = match server.split_once("://") {
        Some((scheme, rest)) => format!("{scheme}://{}", rest.split('/').next().unwrap_or(rest)),
        None => panic!("LANTIAN_TEST_PG is not a postgres:// URL"),
    };
    let name = format!("lantian_test_{tag}_{}", std::process::id());
    let mut admin = postgres::Client::connect(&format!("{base}/postgres"), postgres::NoTls).expect("server");
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).expect("drop");
    let with_icu = format!("CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'");
    if !icu || admin.batch_execute(&with_icu).is_err() {
        admin.batch_execute(&format!("CREATE DATABASE {name}")).expect("create");
    }
    let url = format!("{base}/{name}");
    let r = std::panic::catch_unwind(|| f(&url));
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).expect("drop");
    if let Err(p) = r {
        std::panic::resume_unwind(p);
    }
}
