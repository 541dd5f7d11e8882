//! Publish recorded change records to a JetStream stream with async-nats, as the
//! Python publisher does (a message id per change, at most 256 awaiting their
//! acknowledgement), and print the rate acknowledged (changes/s).
//!
//!     nats-clients-bench URL RECORDS.jsonl TOTAL batch|window

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use async_nats::jetstream::{self, stream};

const IN_FLIGHT: usize = 256;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), async_nats::Error> {
    let args: Vec<String> = std::env::args().collect();
    let (url, path, total, mode) = (&args[1], &args[2], args[3].parse::<usize>()?, &args[4]);
    let records: Vec<bytes::Bytes> = std::fs::read_to_string(path)?
        .lines()
        .map(|l| bytes::Bytes::from(l.to_owned()))
        .collect();
    let client = async_nats::connect(url.as_str()).await?;
    let js = jetstream::new(client);
    let name = format!("RUST{}", std::process::id());
    js.get_or_create_stream(stream::Config {
        name: name.clone(),
        subjects: vec![format!("{}.*.changes", name.to_lowercase())],
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    })
    .await?;
    let subject = format!("{}.pbx1.changes", name.to_lowercase());
    let collector = "c0ffee";
    let headers = |i: usize| {
        let mut h = async_nats::HeaderMap::new();
        h.insert("Nats-Msg-Id", format!("{collector}-{i}").as_str());
        h.insert("Hackamore-Collector", collector);
        h.insert("Hackamore-Version", i.to_string().as_str());
        h
    };
    let start = Instant::now();
    let mut duplicates = 0;
    if mode == "batch" {
        // As hackamore's pump: hand up to 256 over, await them all, then the next.
        let mut i = 0;
        while i < total {
            let mut acks = Vec::with_capacity(IN_FLIGHT);
            for j in i..(i + IN_FLIGHT).min(total) {
                let payload = records[j % records.len()].clone();
                acks.push(
                    js.publish_with_headers(subject.clone(), headers(j), payload)
                        .await?,
                );
            }
            i += acks.len();
            for ack in acks {
                duplicates += usize::from(ack.await?.duplicate);
            }
        }
    } else {
        // A sliding window: the next is handed over as soon as the oldest is acknowledged.
        let mut acks = VecDeque::with_capacity(IN_FLIGHT);
        for j in 0..total {
            if acks.len() == IN_FLIGHT {
                let ack: jetstream::context::PublishAckFuture = acks.pop_front().unwrap();
                duplicates += usize::from(ack.await?.duplicate);
            }
            let payload = records[j % records.len()].clone();
            acks.push_back(
                js.publish_with_headers(subject.clone(), headers(j), payload)
                    .await?,
            );
        }
        for ack in acks {
            duplicates += usize::from(ack.await?.duplicate);
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(duplicates, 0);
    println!("{:.0}", total as f64 / elapsed);
    js.delete_stream(&name).await?;
    Ok(())
}
