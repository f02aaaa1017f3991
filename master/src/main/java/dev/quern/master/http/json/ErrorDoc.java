package dev.quern.master.http.json;

/** Body of every error answer: {@code {"error": "..."}}. */
public record ErrorDoc(String error) {}
