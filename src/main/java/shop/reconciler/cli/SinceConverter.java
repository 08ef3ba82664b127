package shop.reconciler.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import shop.reconciler.operations.Since;

/** Reads a {@code --since} option ({@link Since#parse}); a wrong value is a usage error naming it. */
final class SinceConverter implements ITypeConverter<Since> {
    @Override
    public Since convert(String value) {
        try {
            return Since.parse(value);
        } catch (Since.Invalid e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
