package dev.quern.worker.spill;

/**
 * Where one partition's run lives in a data file.
 *
 * @param offset first byte in the data file
 * @param rawLength bytes of records before compression
 * @param storedLength bytes in the file
 * @param crc CRC32C of the stored bytes
 * @param records number of records (kept in memory only, not in the index file)
 */
public record IndexEntry(long offset, long rawLength, long storedLength, int crc, long records) {}
