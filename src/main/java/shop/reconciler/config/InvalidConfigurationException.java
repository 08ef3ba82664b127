package shop.reconciler.config;

/** A configuration value the reconciler cannot work with; the message names the key. */
public class InvalidConfigurationException extends RuntimeException {

    private final String key;

    public InvalidConfigurationException(String key, String problem) {
        super(key + ": " + problem);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
