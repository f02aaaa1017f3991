package dev.quern.master.cluster.jars;

/**
 * What a content-addressed store ({@link JarStore}) and its routes ({@link JarRoutes}) hold: job
 * jars, or split lists. Both are kept and copied the same way (by SHA-256, on a majority of
 * masters before the job that needs them is accepted); only their names differ.
 *
 * @param noun what one is called in answers and logs
 * @param path the routes' root ({@code POST path}, {@code PUT/GET path/{sha256}})
 * @param suffix the file name's ending in the store's directory
 * @param contentType of the bytes
 */
public record BlobKind(String noun, String path, String suffix, String contentType) {
  /** Job jars: {@code DATA/jars/<sha256>.jar}, fetched by workers. */
  public static final BlobKind JAR = new BlobKind("jar", "/api/cluster/jars", ".jar",
      "application/java-archive");

  /**
   * Split lists ({@code dev.quern.master.engine.SplitListCodec}): {@code
   * DATA/splits/<sha256>.splits}, read by the leader that schedules the job.
   */
  public static final BlobKind SPLITS = new BlobKind("split list", "/api/cluster/splits",
      ".splits", "application/octet-stream");
}
