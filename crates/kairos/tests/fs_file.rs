//! `fs::File`: reads, buffered writes, seeks that account for read-ahead, metadata and
//! syncing, conversions; on both schedulers.

mod io_support;

use io_support::{on_both, TempDir};
use kairos::fs::{File, OpenOptions};
use kairos::io::{AsyncBufReadExt, AsyncReadExt, AsyncSeekExt, AsyncWriteExt, BufReader, SeekFrom};

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 249) as u8).collect()
}

#[test]
fn large_writes_read_back_byte_for_byte() {
    on_both(|| async {
        let dir = TempDir::new("fs-large");
        let path = dir.join("big");
        // Larger than one background write, so several go through the pool.
        let data = pattern(5 * 1024 * 1024 + 17);
        let mut file = File::create(&path).await.unwrap();
        file.write_all(&data).await.unwrap();
        file.flush().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), data.len() as u64);
        drop(file);
        let mut back = Vec::new();
        File::open(&path)
            .await
            .unwrap()
            .read_to_end(&mut back)
            .await
            .unwrap();
        assert!(back == data, "contents differ");
    });
}

#[test]
fn seeks_account_for_bytes_read_ahead() {
    on_both(|| async {
        let dir = TempDir::new("fs-seek");
        let path = dir.join("seek");
        kairos::fs::write(&path, b"0123456789abcdef").await.unwrap();
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .await
            .unwrap();
        let mut two = [0; 2];
        // The read fetches ahead; the logical position is still 2.
        file.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"01");
        assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 2);
        file.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"23");
        // A write after a read lands at the logical position too.
        file.write_all(b"XY").await.unwrap();
        file.flush().await.unwrap();
        assert_eq!(file.seek(SeekFrom::End(-2)).await.unwrap(), 14);
        file.read_exact(&mut two).await.unwrap();
        assert_eq!(&two, b"ef");
        file.seek(SeekFrom::Start(0)).await.unwrap();
        let mut all = String::new();
        file.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "0123XY6789abcdef");
    });
}

#[test]
fn lines_read_through_a_bufreader() {
    on_both(|| async {
        let dir = TempDir::new("fs-lines");
        let path = dir.join("lines");
        let text: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        kairos::fs::write(&path, &text).await.unwrap();
        let mut lines = BufReader::new(File::open(&path).await.unwrap()).lines();
        let mut count = 0;
        use futures::StreamExt;
        while let Some(line) = lines.next().await {
            assert_eq!(line.unwrap(), format!("line {count}"));
            count += 1;
        }
        assert_eq!(count, 1000);
    });
}

#[test]
fn set_len_sync_and_permissions() {
    on_both(|| async {
        let dir = TempDir::new("fs-len");
        let path = dir.join("sized");
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"some bytes").await.unwrap();
        file.set_len(4).await.unwrap();
        file.sync_all().await.unwrap();
        file.sync_data().await.unwrap();
        assert_eq!(file.metadata().await.unwrap().len(), 4);
        let mut permissions = file.metadata().await.unwrap().permissions();
        permissions.set_readonly(true);
        file.set_permissions(permissions).await.unwrap();
        assert!(kairos::fs::metadata(&path)
            .await
            .unwrap()
            .permissions()
            .readonly());
        assert_eq!(kairos::fs::read(&path).await.unwrap(), b"some");
    });
}

#[test]
fn std_conversions_and_clones_share_the_file() {
    on_both(|| async {
        let dir = TempDir::new("fs-std");
        let path = dir.join("std");
        let mut file = File::create(&path).await.unwrap();
        file.write_all(b"abc").await.unwrap();
        let clone = file.try_clone().await.unwrap();
        let mut std = file.into_std().await.unwrap();
        std::io::Write::write_all(&mut std, b"def").unwrap();
        let mut clone = clone;
        clone.write_all(b"ghi").await.unwrap();
        clone.flush().await.unwrap();
        assert_eq!(
            kairos::fs::read_to_string(&path).await.unwrap(),
            "abcdefghi"
        );
        let file = File::from_std(std);
        assert!(file.try_into_std().is_ok());
    });
}

#[test]
fn opening_errors_surface() {
    on_both(|| async {
        let dir = TempDir::new("fs-errors");
        let missing = dir.join("missing");
        let err = File::open(&missing).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
        File::create_new(&missing).await.unwrap();
        let err = File::create_new(&missing).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        // Writing to a file opened read-only fails at the latest on flush.
        let mut read_only = File::open(&missing).await.unwrap();
        let result = async {
            read_only.write_all(b"nope").await?;
            read_only.flush().await
        }
        .await;
        assert!(result.is_err());
    });
}
