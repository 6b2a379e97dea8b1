//! The `fs` functions: whole-file reads and writes, directories, listing, metadata,
//! renames and links; on both schedulers.

mod io_support;

use io_support::{on_both, TempDir};
use std::collections::BTreeSet;
use std::io::ErrorKind;

#[test]
fn whole_file_reads_and_writes() {
    on_both(|| async {
        let dir = TempDir::new("fs-whole");
        let path = dir.join("data");
        kairos::fs::write(&path, vec![1u8, 2, 3]).await.unwrap();
        assert_eq!(kairos::fs::read(&path).await.unwrap(), [1, 2, 3]);
        kairos::fs::write(&path, "text").await.unwrap();
        assert_eq!(kairos::fs::read_to_string(&path).await.unwrap(), "text");
        kairos::fs::write(&path, [0xff, 0xfe]).await.unwrap();
        let err = kairos::fs::read_to_string(&path).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
    });
}

#[test]
fn directories_are_created_listed_and_removed() {
    on_both(|| async {
        let dir = TempDir::new("fs-dirs");
        let nested = dir.join("a/b/c");
        kairos::fs::create_dir_all(&nested).await.unwrap();
        kairos::fs::create_dir_all(&nested).await.unwrap();
        let err = kairos::fs::create_dir(&nested).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        // More entries than one batch of the listing.
        for i in 0..70 {
            kairos::fs::write(nested.join(format!("f{i:02}")), [i as u8])
                .await
                .unwrap();
        }
        let mut entries = kairos::fs::read_dir(&nested).await.unwrap();
        let mut names = BTreeSet::new();
        while let Some(entry) = entries.next_entry().await.unwrap() {
            assert!(entry.file_type().await.unwrap().is_file());
            assert_eq!(entry.metadata().await.unwrap().len(), 1);
            assert_eq!(entry.path(), nested.join(entry.file_name()));
            assert!(entry.ino() > 0);
            names.insert(entry.file_name().into_string().unwrap());
        }
        assert_eq!(names.len(), 70);
        assert!(entries.next_entry().await.unwrap().is_none());
        let err = kairos::fs::remove_dir(dir.join("a")).await.unwrap_err();
        assert_ne!(err.kind(), ErrorKind::NotFound);
        kairos::fs::remove_dir_all(dir.join("a")).await.unwrap();
        assert!(!kairos::fs::try_exists(dir.join("a")).await.unwrap());
    });
}

#[test]
fn metadata_rename_copy_and_links() {
    on_both(|| async {
        let dir = TempDir::new("fs-meta");
        let original = dir.join("original");
        kairos::fs::write(&original, "12345").await.unwrap();
        let meta = kairos::fs::metadata(&original).await.unwrap();
        assert!(meta.is_file());
        assert_eq!(meta.len(), 5);
        assert_eq!(
            kairos::fs::copy(&original, dir.join("copy")).await.unwrap(),
            5
        );
        kairos::fs::rename(dir.join("copy"), dir.join("moved"))
            .await
            .unwrap();
        assert_eq!(
            kairos::fs::read_to_string(dir.join("moved")).await.unwrap(),
            "12345"
        );
        kairos::fs::hard_link(&original, dir.join("hard"))
            .await
            .unwrap();
        std::os::unix::fs::symlink(&original, dir.join("soft")).unwrap();
        assert_eq!(
            kairos::fs::read_link(dir.join("soft")).await.unwrap(),
            original
        );
        assert!(kairos::fs::symlink_metadata(dir.join("soft"))
            .await
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            kairos::fs::canonicalize(dir.join("soft")).await.unwrap(),
            kairos::fs::canonicalize(&original).await.unwrap()
        );
        kairos::fs::remove_file(&original).await.unwrap();
        assert_eq!(
            kairos::fs::read_to_string(dir.join("hard")).await.unwrap(),
            "12345"
        );
        let err = kairos::fs::remove_file(&original).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let mut permissions = kairos::fs::metadata(dir.join("hard"))
            .await
            .unwrap()
            .permissions();
        permissions.set_readonly(true);
        kairos::fs::set_permissions(dir.join("hard"), permissions)
            .await
            .unwrap();
        assert!(kairos::fs::metadata(dir.join("hard"))
            .await
            .unwrap()
            .permissions()
            .readonly());
    });
}

#[test]
fn listing_a_missing_directory_fails() {
    on_both(|| async {
        let dir = TempDir::new("fs-missing");
        let err = kairos::fs::read_dir(dir.join("nope")).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    });
}
