package dev.quern.master.http.json;

/** One master: its Raft role ({@code leader}, {@code follower}, ...), term and address. */
public record MasterDoc(String role, long term, String address) {}
