package dev.quern.examples.join;

/** The two inputs of the join, and the CSV header each may start with. */
public enum Table {
  CUSTOMERS("customer_id,name,country"),
  ORDERS("order_id,customer_id,amount");

  private final String header;

  Table(String header) {
    this.header = header;
  }

  /** The column names, comma-separated, as an optional first line of a file states them. */
  public String header() {
    return header;
  }
}
