package dev.quern.api.fs;

import java.util.List;

/**
 * The byte range {@code [offset, offset + length)} of a file that one block holds, and the hosts
 * that store a replica of it. A local file is one block on no particular host.
 *
 * <pre>{@code
 * for (BlockLocation b : fs.blockLocations(path, 0, size)) {
 *   System.out.println(b.offset() + "+" + b.length() + " on " + b.hosts());
 * }
 * }</pre>
 */
public record BlockLocation(long offset, long length, List<String> hosts) {
  public BlockLocation {
    hosts = List.copyOf(hosts);
  }

  /** How many bytes of {@code [start, end)} lie in this block. */
  public long overlap(long start, long end) {
    return Math.max(0, Math.min(end, offset + length) - Math.max(start, offset));
  }
}
