package dev.avatargateway.runway;

/**
 * A parameter broke a documented limit; thrown before any request is sent. The message names the
 * field (as a path such as {@code tools[2].parameters[0].name}) and the limit.
 */
public class InvalidParamsException extends RunwayException {
  private static final long serialVersionUID = 1L;

  private final String field;
  private final String problem;

  /**
   * @param field the offending field's path
   * @param problem what is wrong with it, naming the limit
   */
  public InvalidParamsException(String field, String problem) {
    super(field + ": " + problem);
    this.field = field;
    this.problem = problem;
  }

  /** What is wrong with the field, naming the limit. */
  public String problem() {
    return problem;
  }

  /** The offending field's path, for example {@code maxDuration} or {@code tools[0].name}. */
  public String field() {
    return field;
  }
}
