package dev.quern.worker.spill;

import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/** The LZ4 codecs shared by writers and readers (both are thread-safe). */
final class Lz4 {
  /** Raw bytes per compressed block; a block is the unit of compression and of reading. */
  static final int BLOCK = 64 * 1024;

  static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestJavaInstance().fastCompressor();
  static final LZ4SafeDecompressor DECOMPRESSOR =
      LZ4Factory.fastestJavaInstance().safeDecompressor();

  private Lz4() {}
}
