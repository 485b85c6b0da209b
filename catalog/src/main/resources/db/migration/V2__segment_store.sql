-- Segment bytes kept in the catalog database (CatalogSegmentStore): one row per file, the bytes
-- in fixed-size chunks so no statement ever moves more than one chunk.

CREATE TABLE segment_files (
    name        text        PRIMARY KEY,
    size_bytes  bigint      NOT NULL CHECK (size_bytes >= 0),
    chunk_size  int         NOT NULL CHECK (chunk_size > 0),
    chunk_count int         NOT NULL CHECK (chunk_count >= 0),
    crc32c      bigint      NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE segment_chunks (
    name     text  NOT NULL REFERENCES segment_files (name) ON DELETE CASCADE,
    chunk_no int   NOT NULL CHECK (chunk_no >= 0),
    data     bytea NOT NULL,
    PRIMARY KEY (name, chunk_no)
);
