package dev.quern.examples.terasort;

import dev.quern.api.Context;
import dev.quern.api.Reducer;

/**
 * The single reducer of TeraValidate: passes errors on, totals the checksums, and checks that
 * each file's first key is not below the previous file's last key (files in name order).
 */
public class ValidateReducer implements Reducer<String, String, String, String> {
  private String lastFileKey;
  private String lastKey;

  @Override
  public void reduce(String key, Iterable<String> values, Context<String, String> context) {
    if (key.equals(ValidateMapper.ERROR)) {
      for (String v : values) {
        context.emit(key, v);
      }
    } else if (key.equals(ValidateMapper.CHECKSUM)) {
      Uint128 sum = new Uint128(0, 0);
      for (String v : values) {
        sum.add(Uint128.ofHex(v));
      }
      context.emit(key, sum.toString());
    } else {
      String value = values.iterator().next();
      if (lastKey != null && value.compareTo(lastKey) < 0) {
        context.emit(ValidateMapper.ERROR, "bad key partitioning: " + lastFileKey + " key "
            + lastKey + " is greater than " + key + " key " + value);
      }
      lastFileKey = key;
      lastKey = value;
    }
  }
}
