/**
 * Sorted runs on disk: spills, map outputs and reduce merge passes share one format.
 *
 * <p><b>Data file</b>: the partitions' runs back to back, partition 0 first. A run is a sequence
 * of records {@code varint keyLength, varint (valueLength + 1), key bytes, value bytes}
 * (LEB128 varints; a value length field of 0 is a null value), sorted by the job's key order.
 * With compression ({@code quern.map.output.compress}, default false) a run's raw bytes are cut
 * into blocks of at most 64 KiB, each stored as {@code int rawLength, int storedLength,
 * LZ4 block} (big-endian ints); every run starts a new block so each partition reads alone.
 *
 * <p><b>Index file</b> ({@link dev.quern.worker.spill.PartitionIndex}): magic {@code QMIX},
 * version 1, partition count, flags (bit 0: compressed), then per partition {@code long offset,
 * long rawLength, long storedLength, int crc32c} (CRC32C of the stored bytes), then a CRC32C of
 * the index itself. A map attempt writes {@code <scratchDir>/<attempt dir>.out} and {@code
 * .index}; the index is written last, atomically.
 */
package dev.quern.worker.spill;
