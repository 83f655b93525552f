#pragma once

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace openaps {

// A failure that a caller can act on (code) and a person can read (message).
// Messages are plain words and never contain secrets, tokens or URLs.
struct Error
{
    QString code;
    QString message;

    QString toString() const { return code + QLatin1String(": ") + message; }
};

// A value or an Error, in the spirit of std::expected.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value) : m_data(std::move(value)) { }
    Result(Error error) : m_data(std::move(error)) { }

    bool ok() const { return std::holds_alternative<T>(m_data); }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<T>(m_data); }
    T &value() & { return std::get<T>(m_data); }
    T &&value() && { return std::get<T>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    T &operator*() & { return value(); }
    const T *operator->() const { return &value(); }
    T *operator->() { return &value(); }

    const Error &error() const { return std::get<Error>(m_data); }

private:
    std::variant<T, Error> m_data;
};

// Result<void>: success, or an Error.
template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) { }

    bool ok() const { return !m_error.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error &error() const { return *m_error; }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

inline Error makeError(const char *code, const QString &message)
{
    return Error { QString::fromLatin1(code), message };
}

} // namespace openaps
