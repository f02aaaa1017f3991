package dev.quern.examples.join;

/**
 * The join's map output value: a customer's {@code (name, country)} or an order's {@code
 * (orderId, amount)}. It carries its tag too, because a reduce call sees only the group's first
 * key: the tag tells a customer row from an order as the values stream by.
 */
public record JoinRow(int tag, String first, String second) {
  public static JoinRow customer(String name, String country) {
    return new JoinRow(JoinKey.CUSTOMER, name, country);
  }

  public static JoinRow order(String orderId, String amount) {
    return new JoinRow(JoinKey.ORDER, orderId, amount);
  }

  public boolean isCustomer() {
    return tag == JoinKey.CUSTOMER;
  }
}
