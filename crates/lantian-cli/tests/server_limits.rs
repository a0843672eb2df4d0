//! Issue 12 §5–8, §14 (audit names, query values) and §15 against the real binary: decompression bombs
//! (import and upload, under a memory cap and by the server's peak memory), uploads refused before their
//! body is read, parsing off the store connections, sign-in throttling that cannot lock others out and
//! takes the same time for every name, connection timeouts, control characters in the audit log,
//! out-of-range query values, and the security headers.
//!
//! The tests of this file run one at a time (`serial()`): several measure time or memory, which other
//! servers on the same two cores would disturb.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::*;

fn serial() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// `lantian serve` with extra arguments; killed on drop.
struct Serve {
    child: Child,
    addr: SocketAddr,
    base: String,
}

impl Serve {
    fn start(db: &str, args: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lantian"))
            .args(["--db", db, "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start lantian serve");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        reader.read_line(&mut first).expect("URL line");
        std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
        let base = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .map(|u| u.trim_end_matches('/').to_string())
            .unwrap_or_else(|| panic!("no URL in {first:?}"));
        let addr = base.trim_start_matches("http://").parse().expect("address");
        Serve { child, addr, base }
    }

    /// `VmHWM` (peak resident memory) and `VmRSS` of the server, in kB.
    fn memory_kb(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or_else(|| panic!("no {name} in {status}"))
        };
        (field("VmHWM:"), field("VmRSS:"))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn user(db: &str, name: &str, role: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_lantian"))
        .args(["--db", db, "user", "add", name, "--role"])
        .args(role)
        .env("LANTIAN_PASSWORD", "correct horse battery")
        .output()
        .expect("user add");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    ok(db, &["user", "token", name, "--scope", "upload,read"]).trim().to_string()
}

/// A gzip bomb: `mib` members of 1 MiB of zeros (~1 kB each): `mib` MiB of content in ~`mib` kB.
fn bomb(mib: usize) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&vec![0u8; 1 << 20]).expect("compress");
    e.finish().expect("gzip").repeat(mib)
}

/// An answer read from a raw connection.
struct Answer {
    status: u16,
    head: String,
    body: String,
}

/// Reads one answer (head, then `Content-Length` bytes of body).
fn read_answer(s: &mut TcpStream) -> Option<Answer> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => buf.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&buf).to_string();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let len: usize = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).ok()?;
    Some(Answer { status, head, body: String::from_utf8_lossy(&body).to_string() })
}

/// Waits until the server closes the connection; the time it took (None: still open after `limit`).
fn closed_within(s: &mut TcpStream, limit: Duration) -> Option<Duration> {
    let t = Instant::now();
    s.set_read_timeout(Some(limit)).expect("timeout");
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Some(t.elapsed()),
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => return None,
            Err(_) => return Some(t.elapsed()),
        }
    }
}

/// A connection to `addr` from the loopback address `local` (127.0.0.0/8 is all loopback on Linux):
/// sign-ins "from another address".
fn connect_from(local: &str, addr: SocketAddr) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread().enable_io().build().expect("runtime");
    let stream = rt
        .block_on(async {
            let sock = tokio::net::TcpSocket::new_v4()?;
            sock.bind(format!("{local}:0").parse().expect("local address"))?;
            sock.connect(addr).await
        })
        .unwrap_or_else(|e| panic!("connect from {local}: {e}"));
    let s = stream.into_std().expect("std stream");
    s.set_nonblocking(false).expect("blocking");
    s
}

/// `POST /api/v1/session` from `local`: (status, time taken, Retry-After).
fn sign_in(addr: SocketAddr, local: &str, name: &str, password: &str) -> (u16, Duration, Option<u64>) {
    let body = serde_json::json!({ "name": name, "password": password }).to_string();
    let mut s = connect_from(local, addr);
    let t = Instant::now();
    write!(
        s,
        "POST /api/v1/session HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("send");
    let a = read_answer(&mut s).expect("an answer");
    let retry = a
        .head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("retry-after:").map(|v| v.trim().to_string()))
        .and_then(|v| v.parse().ok());
    (a.status, t.elapsed(), retry)
}

fn get_with(base: &str, path: &str, token: Option<&str>) -> (u16, ureq::http::HeaderMap, String) {
    let mut req = agent().get(&format!("{base}{path}"));
    if let Some(t) = token {
        req = req.header("Authorization", &format!("Bearer {t}"));
    }
    let mut r = req.call().unwrap_or_else(|e| panic!("{path}: {e}"));
    let headers = r.headers().clone();
    (r.status().as_u16(), headers, r.body_mut().read_to_string().unwrap_or_default())
}

/// `POST /api/v1/uploads?name=NAME` with a bearer token on a raw connection: the body is written by
/// another thread while this one waits for the answer, which may come before the body is read.
fn upload(addr: SocketAddr, token: &str, name: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "POST /api/v1/uploads?name={name} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .expect("head");
    let mut w = s.try_clone().expect("clone");
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        for chunk in body.chunks(1 << 16) {
            if w.write_all(chunk).is_err() {
                break;
            }
        }
    });
    s.set_read_timeout(Some(Duration::from_secs(120))).expect("timeout");
    let a = read_answer(&mut s).expect("an answer");
    drop(s);
    let _ = writer.join();
    (a.status, serde_json::from_str(&a.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", a.body)))
}

/// §5: a 3 GiB bomb (3 MB of gzip) under a 1 GiB address-space cap: `import` stops at the configured
/// limit with an error naming the file and the limit (flag and environment), leaves the store
/// unchanged, and still imports a gzip within the limit. Without the bounded reader it inflates until
/// the allocation fails ("out of memory").
#[test]
fn import_rejects_a_gzip_bomb_under_a_memory_cap() {
    let _serial = serial();
    let t = TempDir::new("bomb-import");
    let db = t.db();
    let path = t.0.join("bomb.csv.gz");
    std::fs::write(&path, bomb(3072)).expect("write");
    let capped = |extra: &str, env: Option<&str>| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!("ulimit -v 1048576; exec \"$0\" --db \"$1\" import \"$2\" {extra}"));
        c.args([env!("CARGO_BIN_EXE_lantian"), &db, &path.display().to_string()]);
        if let Some(v) = env {
            c.env("LANTIAN_MAX_DECOMPRESSED", v);
        }
        c.output().expect("run")
    };
    let o = capped("--max-decompressed 64MiB", None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(2), "{out}{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        out.contains("bomb.csv.gz: the decompressed content exceeds the limit of 64 MiB (--max-decompressed"),
        "{out}"
    );
    let o = capped("", Some("32MiB"));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("exceeds the limit of 32 MiB") && out.contains("LANTIAN_MAX_DECOMPRESSED"), "{out}");
    // The compressed input has its own limit, checked before reading.
    let o = capped("--max-input 1MiB", None);
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("bomb.csv.gz: the file exceeds the limit of 1 MiB (--max-input"), "{out}");
    // Nothing was stored; a real gzip within the limits imports.
    let daily = t.0.join("may.csv.gz");
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all("city,date,aqi,so2,no2,co,pm10,pm2_5,o3_mda8\n成都,2022-05-01,,10,30,0.8,50,30,100\n".as_bytes())
        .expect("gzip");
    std::fs::write(&daily, e.finish().expect("gzip")).expect("write");
    let out = ok(&db, &["import", &daily.display().to_string(), "--max-decompressed", "1KiB"]);
    assert!(out.contains("1 (1 new, 0 rejected)"), "{out}");
}

/// §5–6: uploads of the same bomb. A viewer is refused (403) before the body is read, so nothing is
/// decompressed; an administrator's upload stops at the server's decompression limit (413 naming the
/// limit). The server's peak memory stays far below the 3 GiB the bomb expands to.
#[test]
fn upload_bombs_are_refused_by_role_first_then_by_the_limit() {
    let _serial = serial();
    let t = TempDir::new("bomb-upload");
    let db = t.db();
    let admin = user(&db, "admin1", &["admin"]);
    let viewer = user(&db, "viewer1", &["viewer"]);
    let server = Serve::start(&db, &["--max-upload-decompressed", "32MiB"]);
    let (_, rss0) = server.memory_kb();
    let body = bomb(3072);
    let (s, v) = upload(server.addr, &viewer, "bomb.csv.gz", &body);
    assert_eq!((s, v["error"]["code"].as_str()), (403, Some("forbidden")), "{v}");
    let (s, v) = upload(server.addr, &admin, "bomb.csv.gz", &body);
    assert_eq!((s, v["error"]["code"].as_str()), (413, Some("payload_too_large")), "{v}");
    let m = v["error"]["message"].as_str().unwrap_or_default();
    assert!(m.contains("bomb.csv.gz") && m.contains("exceeds the limit of 32 MiB"), "{m}");
    let (peak, _) = server.memory_kb();
    assert!(peak < rss0 + 200 * 1024, "peak {peak} kB after the bombs, {rss0} kB before");
    // Both refusals are audited under the account.
    let log = ok(&db, &["user", "audit", "--format", "csv"]);
    assert!(log.contains("viewer1,upload,bomb.csv.gz: rejected (403)"), "{log}");
    assert!(log.contains("admin1,upload,\"bomb.csv.gz: rejected (413)"), "{log}");
    // Stamped in Beijing time like every other stamp.
    assert!(log.lines().skip(1).all(|l| l.split(',').next().is_some_and(|t| t.ends_with("+08:00"))), "{log}");
}

/// §6: eight anonymous uploads announcing 60 MB each are answered 401 without their bodies being read:
/// the answer comes before the client has sent its body, and the server's peak memory does not grow
/// by the 480 MB it would take to hold them. A Content-Length above the limit is refused unread too.
#[test]
fn anonymous_uploads_are_refused_unread() {
    let _serial = serial();
    let t = TempDir::new("anon-upload");
    let db = t.db();
    let token = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &[]);
    let (_, rss0) = server.memory_kb();
    const LEN: usize = 60 << 20;
    let clients: Vec<_> = (0..8)
        .map(|_| {
            let addr = server.addr;
            std::thread::spawn(move || {
                let mut s = TcpStream::connect(addr).expect("connect");
                write!(s, "POST /api/v1/uploads?name=big.csv HTTP/1.1\r\nHost: x\r\nContent-Length: {LEN}\r\n\r\n")
                    .expect("head");
                // The answer, before any of the body.
                s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
                let a = read_answer(&mut s).expect("an answer before the body");
                // Then try to push the body anyway: the server has stopped reading.
                let chunk = vec![b'x'; 1 << 16];
                let mut sent = 0;
                while sent < LEN {
                    match s.write(&chunk) {
                        Ok(n) if n > 0 => sent += n,
                        _ => break,
                    }
                }
                a.status
            })
        })
        .collect();
    for c in clients {
        assert_eq!(c.join().expect("client"), 401);
    }
    let (peak, _) = server.memory_kb();
    assert!(peak < rss0 + 100 * 1024, "peak {peak} kB, {rss0} kB before the uploads");
    // Signed in, a declared body above the limit (64 MiB) is refused before it is read.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    write!(
        s,
        "POST /api/v1/uploads?name=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: {}\r\n\r\n",
        65 << 20
    )
    .expect("head");
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let a = read_answer(&mut s).expect("an answer");
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.body.contains("exceeds the limit of 64 MiB (--max-upload)"), "{}", a.body);
    // Without a Content-Length (chunked), the limit holds while the body streams.
    let small = Serve::start(&db, &["--max-upload", "1MiB"]);
    let mut s = TcpStream::connect(small.addr).expect("connect");
    write!(
        s,
        "POST /api/v1/uploads?name=big.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    )
    .expect("head");
    let mut w = s.try_clone().expect("clone");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'x'; 1 << 16];
        for _ in 0..64 {
            if write!(w, "{:x}\r\n", chunk.len())
                .and_then(|()| w.write_all(&chunk))
                .and_then(|()| w.write_all(b"\r\n"))
                .is_err()
            {
                return;
            }
        }
        let _ = w.write_all(b"0\r\n\r\n");
    });
    s.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
    let a = read_answer(&mut s).expect("an answer");
    drop(s);
    let _ = writer.join();
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.body.contains("big.csv: the upload exceeds the limit of 1 MiB (--max-upload)"), "{}", a.body);
}

/// §6: two uploads whose parsing takes seconds run while `/healthz` answers at once: a file is parsed
/// without a store connection, and at most one connection writes. (The files are CNEMC wide files of
/// 2,000 days of two stations with a bad cell in the last row: parsed whole, then rejected.)
#[test]
fn healthz_answers_while_two_uploads_are_parsed() {
    let _serial = serial();
    let t = TempDir::new("healthz-upload");
    let db = t.db();
    let token = user(&db, "admin1", &["admin"]);
    let types = [
        "AQI",
        "PM2.5",
        "PM2.5_24h",
        "PM10",
        "PM10_24h",
        "SO2",
        "SO2_24h",
        "NO2",
        "NO2_24h",
        "O3",
        "O3_24h",
        "O3_8h",
        "O3_8h_24h",
        "CO",
        "CO_24h",
    ];
    let mut file = String::from("date,hour,type,1001A,1002A\n");
    let mut day = chrono::NaiveDate::from_ymd_opt(2013, 1, 1).expect("date");
    // 8,000 days of two stations (~75 MB): long enough to parse that a blocked /healthz would show.
    for _ in 0..8000 {
        let d = day.format("%Y%m%d");
        for h in 0..24 {
            for ty in types {
                file.push_str(&format!("{d},{h},{ty},12,13\n"));
            }
        }
        day += chrono::Duration::days(1);
    }
    file.push_str("20350101,1,AQI,12,x\n");
    let file = std::sync::Arc::new(file.into_bytes());
    let server = Serve::start(&db, &["--max-upload", "128MiB", "--max-upload-decompressed", "128MiB"]);
    let base = server.base.clone();
    let uploads: Vec<_> = (0..2)
        .map(|k| {
            let (addr, token, file) = (server.addr, token.clone(), file.clone());
            std::thread::spawn(move || {
                let t = Instant::now();
                let (s, v) = upload(addr, &token, &format!("wide{k}.csv"), &file);
                (s, v, t.elapsed())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let mut slowest = Duration::ZERO;
    while !uploads.iter().all(|u| u.is_finished()) {
        let t = Instant::now();
        let (s, _) = get(&base, "/healthz");
        assert_eq!(s, 200);
        slowest = slowest.max(t.elapsed());
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut shortest = Duration::MAX;
    for u in uploads {
        let (s, v, took) = u.join().expect("upload");
        assert_eq!(s, 400, "{v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains(":2880002:5")), "{v}");
        shortest = shortest.min(took);
    }
    // The uploads took long enough for a blocked /healthz to show, and it answered well within them.
    assert!(shortest > Duration::from_secs(1), "the uploads took only {shortest:?}: no evidence");
    let bound = Duration::from_secs(1).min(shortest / 2);
    assert!(slowest < bound, "/healthz took {slowest:?} during the uploads ({shortest:?})");
}

/// §7: failures from address A lock the name at A only: its owner signs in from B; the table keeps
/// (name, address) pairs. An address that fails 100 times over many names is stopped (429 with
/// Retry-After) while other addresses are not, and a user who signed in from it before is not.
#[test]
fn sign_in_failures_from_one_address_do_not_lock_another() {
    let _serial = serial();
    let t = TempDir::new("throttle");
    let db = t.db();
    user(&db, "victim", &["viewer"]);
    user(&db, "colleague", &["viewer"]);
    let server = Serve::start(&db, &[]);
    assert_eq!(sign_in(server.addr, "127.0.0.4", "colleague", "correct horse battery").0, 200);
    for _ in 0..5 {
        assert_eq!(sign_in(server.addr, "127.0.0.2", "victim", "wrong wrong").0, 401);
    }
    let (s, _, retry) = sign_in(server.addr, "127.0.0.2", "victim", "correct horse battery");
    assert_eq!(s, 429, "locked at A");
    assert!(retry.is_some_and(|r| (1..=60).contains(&r)), "{retry:?}");
    assert_eq!(sign_in(server.addr, "127.0.0.3", "victim", "correct horse battery").0, 200, "not locked at B");
    // Password spraying from one address: 100 failures over 100 names, then the address waits.
    for k in 0..100 {
        assert_eq!(sign_in(server.addr, "127.0.0.4", &format!("n{k}"), "guess").0, 401, "attempt {k}");
    }
    let (s, _, retry) = sign_in(server.addr, "127.0.0.4", "victim", "correct horse battery");
    assert_eq!(s, 429);
    assert!(retry.is_some_and(|r| r > 60 && r <= 15 * 60), "{retry:?}");
    assert_eq!(sign_in(server.addr, "127.0.0.5", "victim", "correct horse battery").0, 200);
    assert_eq!(sign_in(server.addr, "127.0.0.4", "colleague", "correct horse battery").0, 200, "known at .4");
}

/// §7: a sign-in with an unknown name takes as long as one with a known name and a wrong password
/// (both run argon2). Medians of seven, each from its own address so that no throttle interferes.
#[test]
fn known_and_unknown_names_take_the_same_time() {
    let _serial = serial();
    let t = TempDir::new("timing");
    let db = t.db();
    user(&db, "victim", &["city", "--city", "成都"]);
    let server = Serve::start(&db, &[]);
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for k in 0..7 {
        let (s, took, _) = sign_in(server.addr, &format!("127.0.1.{}", k + 1), "victim", "wrong password");
        assert_eq!(s, 401);
        known.push(took);
        let (s, took, _) = sign_in(server.addr, &format!("127.0.2.{}", k + 1), &format!("nobody{k}"), "wrong password");
        assert_eq!(s, 401);
        unknown.push(took);
    }
    let (k, u) = (median(known), median(unknown));
    let ratio = k.as_secs_f64().max(u.as_secs_f64()) / k.as_secs_f64().min(u.as_secs_f64());
    assert!(ratio < 3.0, "known {k:?}, unknown {u:?}");
}

/// §8: half a request head, a head sent a byte at a time, half a body, and a connection that says
/// nothing are cut within the bounds; an idle keep-alive connection is closed after the idle timeout
/// (and not at the header timeout).
#[test]
fn half_sent_requests_and_idle_connections_are_closed() {
    let _serial = serial();
    let t = TempDir::new("timeouts");
    let db = t.db();
    let token = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &["--header-timeout", "1s", "--body-timeout", "1s", "--idle-timeout", "3s"]);
    let bound = Duration::from_secs(4);
    // Nothing at all.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    let took = closed_within(&mut s, bound).expect("silent connection closed");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    // Half a head.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").expect("half");
    let took = closed_within(&mut s, bound).expect("half a head closed");
    assert!(took >= Duration::from_millis(900), "{took:?}");
    // A byte every 200 ms: activity does not extend the header timeout.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    let started = Instant::now();
    for b in b"GET /healthz HTTP/1.1\r\nHost: a-very-long-host-name.example\r\n" {
        if s.write_all(&[*b]).is_err() {
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        if started.elapsed() > Duration::from_secs(3) {
            break;
        }
    }
    assert!(closed_within(&mut s, Duration::from_millis(100)).is_some(), "trickled head still open");
    assert!(started.elapsed() < Duration::from_millis(3500));
    // Half a body: 408, then closed.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    write!(
        s,
        "POST /api/v1/uploads?name=a.csv HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Length: 1000\r\n\r\n{}",
        "x".repeat(500)
    )
    .expect("half a body");
    s.set_read_timeout(Some(bound)).expect("timeout");
    let t0 = Instant::now();
    let a = read_answer(&mut s).expect("an answer");
    assert_eq!(a.status, 408, "{}", a.body);
    assert!(a.body.contains("request_timeout") && a.body.contains("--body-timeout"), "{}", a.body);
    assert!(t0.elapsed() >= Duration::from_millis(900) && t0.elapsed() < bound, "{:?}", t0.elapsed());
    assert!(closed_within(&mut s, bound).is_some(), "closed after the 408");
    // Idle keep-alive: open while a request is answered, closed about 3 s after the answer.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    s.set_read_timeout(Some(bound)).expect("timeout");
    assert_eq!(read_answer(&mut s).expect("answer").status, 200);
    let took = closed_within(&mut s, Duration::from_secs(6)).expect("idle connection closed");
    assert!(took >= Duration::from_millis(2500) && took < Duration::from_millis(4500), "{took:?}");
    // A keep-alive connection that keeps asking is served throughout.
    let mut s = TcpStream::connect(server.addr).expect("connect");
    s.set_read_timeout(Some(bound)).expect("timeout");
    for _ in 0..3 {
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
        assert_eq!(read_answer(&mut s).expect("answer").status, 200);
        std::thread::sleep(Duration::from_millis(800));
    }
}

/// §14: an upload named with CR/LF is refused (400) and cannot forge a line of `user audit`; every
/// field of the audit output escapes control characters (a sign-in name with CR/LF and ESC too); a
/// 4 kB sign-in name is kept as its first 64 bytes.
#[test]
fn control_characters_cannot_forge_audit_lines() {
    let _serial = serial();
    let t = TempDir::new("audit");
    let db = t.db();
    let token = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &[]);
    let forged = "a.csv%0D%0A2026-01-01T00:00:00%2B08:00%20%20admin1%20%20upload%20%20ok.csv";
    let (s, v) = upload(server.addr, &token, forged, b"city,date\n");
    assert_eq!((s, v["error"]["code"].as_str()), (400, Some("bad_request")), "{v}");
    assert!(v["error"]["message"].as_str().is_some_and(|m| m.contains("control characters")), "{v}");
    let (s, _, _) = sign_in(server.addr, "127.0.0.1", "evil\r\n2026-01-01 admin1 sign-in\u{1b}[2K", "x");
    assert_eq!(s, 401);
    let long = "名".repeat(1400);
    assert_eq!(sign_in(server.addr, "127.0.0.6", &long, "x").0, 401);
    let table = ok(&db, &["user", "audit"]);
    assert!(!table.lines().any(|l| l.trim_start().starts_with("2026-01-01")), "{table}");
    assert!(table.contains("a.csv\\r\\n2026-01-01T00:00:00+08:00  admin1  upload  ok.csv: rejected (400)"), "{table}");
    assert!(table.contains("evil\\r\\n2026-01-01 admin1 sign-in\\u{1b}[2K"), "{table}");
    let csv = ok(&db, &["user", "audit", "--format", "csv"]);
    assert!(!csv.contains('\r') && csv.contains("evil\\r\\n2026"), "{csv}");
    let json = ok(&db, &["user", "audit", "--format", "json"]);
    assert!(json.contains(r#"evil\\r\\n2026"#), "{json}");
    assert!(csv.contains(&format!("{}…,sign-in.failed", "名".repeat(21))), "64 bytes of the name: {csv}");
}

/// §14: query values out of range answer 400 — in the API error shape on every endpoint, as an error page on every page (issue 14 item 9) — never a
/// 500 (they were: `/cities/成都?year=-1`, `year=0`); a huge page number is an empty page. Asked with an
/// administrator's token, so that the access policy does not answer first.
#[test]
fn out_of_range_query_values_answer_400_in_the_error_shape() {
    let _serial = serial();
    let t = TempDir::new("params");
    let db = t.db();
    std::fs::write(
        t.0.join("stations.csv"),
        "监测点编码,监测点名称,城市,经度,纬度,对照点\n1431A,金泉两河,成都,103.97,30.72,N\n",
    )
    .expect("write");
    ok(&db, &["import", &t.0.join("stations.csv").display().to_string()]);
    let token = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &[]);
    let bad = [
        "/cities/成都?year=-1",
        "/cities/成都?year=0",
        "/cities/成都?year=99999",
        "/cities/成都?year=abc",
        "/cities/成都?year=2147483648",
        "/stations/1431A?date=%2B262143-12-31",
        "/stations/1431A?date=-0001-01-01",
        "/stations/1431A?date=0000-01-01",
        "/stations/1431A?date=2022-13-01",
        "/ranking?period=0001-01-01..9999-12-31",
        "/ranking?period=-1",
        "/points?period=0",
        "/alerts?at=0000-01-01T00:00",
        "/alerts?at=%2B99999-01-01T00:00",
        "/alerts/control-list?city=成都&level=red&year=-1",
        "/alerts/control-list?city=成都&level=red&year=0",
        "/api/v1/stations?page=-1",
        "/api/v1/stations?per_page=0",
        "/api/v1/rankings?period=0000-01-01..0000-12-31",
        "/api/v1/rankings?period=1899-12-31..2022-01-01",
        "/api/v1/points?period=9999",
        "/api/v1/assessments?period=2022&level=x",
        "/api/v1/budgets?at=0000-01-01T00:00",
        "/api/v1/budgets?at=%2B99999-01-01T00:00",
        "/api/v1/aqi/daily?city=成都&from=-0001-12-31&to=0000-01-01",
        "/api/v1/aqi/daily?city=成都&from=%2B262143-12-30&to=%2B262143-12-31",
        "/api/v1/aqi/hourly?station=1431A&from=0000-01-01&to=0000-01-01",
        "/api/v1/aqi/hourly?station=1431A&from=2022-01-01&to=2022-01-01&page=0",
        "/api/v1/alerts?at=0000-01-01T00:00",
        "/api/v1/alerts/evaluation?at=0000-01-01T00:00",
        "/api/v1/control-lists?city=成都&level=red&year=0",
        "/api/v1/control-lists?city=成都&level=red&year=-1",
        "/api/v1/compliance?until=0000-01-01T00:00",
    ];
    let mut wrong = Vec::new();
    for path in bad {
        let (s, _, body) = get_with(&server.base, path, Some(&token));
        if path.starts_with("/api/") {
            let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
            if s != 400 || v["error"]["status"] != 400 || v["error"]["code"] != "bad_request" {
                wrong.push(format!("{path}: {s} {body:.200}"));
            }
        } else if s != 400 || !body.starts_with("<!doctype html>") || !body.contains("<b>400</b>") {
            // A page answers as a page (issue 14 item 9).
            wrong.push(format!("{path}: {s} {body:.200}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Huge page numbers: an empty page, not an overflow.
    for path in [
        "/api/v1/stations?page=18446744073709551615&per_page=1000",
        "/api/v1/aqi/hourly?station=1431A&from=2022-01-01&to=2022-01-01&page=18446744073709551615&per_page=10000",
    ] {
        let (s, _, body) = get_with(&server.base, path, Some(&token));
        assert_eq!(s, 200, "{path}: {body:.300}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON");
        assert_eq!(v["items"].as_array().map(Vec::len), Some(0), "{path}: {body:.300}");
    }
    // The year range's ends are fine.
    let (s, _, body) = get_with(&server.base, "/cities/成都?year=2200", Some(&token));
    assert_eq!(s, 200, "{body:.300}");
}

/// §15: the security headers on a page, an API answer, an asset, a 404 and a 400; `no-store` on
/// restricted answers (with credentials, errors, the session) but not on a public one; the pages load
/// their style and scripts from `/assets/` (no inline script or style for the CSP to allow).
#[test]
fn security_headers_on_pages_api_and_errors() {
    let _serial = serial();
    let t = TempDir::new("headers");
    let db = t.db();
    let token = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &[]);
    let check = |path: &str, token: Option<&str>, status: u16, no_store: bool| {
        let (s, h, body) = get_with(&server.base, path, token);
        assert_eq!(s, status, "{path}: {body:.200}");
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
        let csp = get("content-security-policy");
        for part in ["default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'"] {
            assert!(csp.contains(part), "{path}: CSP {csp:?}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(get("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(get("x-frame-options"), "DENY", "{path}");
        assert_eq!(get("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(get("cache-control") == "no-store", no_store, "{path}: {:?}", get("cache-control"));
        body
    };
    let page = check("/", None, 200, false);
    assert!(page.contains("href=\"/assets/lantian.css\""), "{page:.500}");
    assert!(!page.contains("<style") && !page.contains("style=\"") && !page.contains("<script>"), "{page}");
    check("/", Some(&token), 200, true);
    check("/api/v1/cities", None, 200, false);
    check("/api/v1/cities", Some(&token), 200, true);
    check("/api/v1/session", None, 401, true);
    check("/api/v1/nope", None, 404, true);
    check("/cities/成都?year=-1", None, 400, true);
    check("/stations?city=%FF", None, 400, true);
    let css = check("/assets/lantian.css", None, 200, false);
    assert!(css.contains(".lv1{background:#00E400") && css.contains(".al-orange{"), "{css:.300}");
    let js = check("/assets/upload.js", None, 200, false);
    assert!(js.contains("X-CSRF-Token"));
    let login = check("/login", None, 200, false);
    assert!(login.contains("<script src=\"/assets/login.js\"></script>"), "{login}");
    let (_, h, _) = get_with(&server.base, "/assets/lantian.css", None);
    assert_eq!(h.get("content-type").and_then(|v| v.to_str().ok()), Some("text/css; charset=utf-8"));
}

/// At most `--max-connections` connections are open at once: with 2, two idle sockets hold both slots
/// and a third connection's request waits (in the listen queue) until one of them ends; then it is
/// answered. The header timeout frees slots held by sockets that never send a request.
#[test]
fn connections_beyond_the_cap_wait_for_a_slot() {
    let _serial = serial();
    let t = TempDir::new("max-connections");
    let db = t.db();
    let _ = user(&db, "admin1", &["admin"]);
    let server = Serve::start(&db, &["--max-connections", "2", "--header-timeout", "20s"]);
    let idle1 = TcpStream::connect(server.addr).expect("connect");
    let idle2 = TcpStream::connect(server.addr).expect("connect");
    std::thread::sleep(Duration::from_millis(300));
    let mut third = TcpStream::connect(server.addr).expect("the kernel queues it");
    third.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").expect("request");
    third.set_read_timeout(Some(Duration::from_millis(1500))).expect("timeout");
    assert!(read_answer(&mut third).is_none(), "answered although both slots were taken");
    drop(idle1);
    third.set_read_timeout(Some(Duration::from_secs(5))).expect("timeout");
    assert_eq!(read_answer(&mut third).expect("answered once a slot is free").status, 200);
    drop(idle2);
}
