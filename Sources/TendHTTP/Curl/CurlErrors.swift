internal import CCurl

/// Maps libcurl result codes onto ``HTTPError/Code``.
enum CurlErrors {
    static func code(for result: CURLcode) -> HTTPError.Code {
        switch result {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            return .connectFailed
        case CURLE_PEER_FAILED_VERIFICATION:
            return .tlsFailed(.certificateVerifyFailed)
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
             CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ENGINE_INITFAILED,
             CURLE_SSL_CRL_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT, CURLE_SSL_SHUTDOWN_FAILED, CURLE_USE_SSL_FAILED:
            return .tlsFailed(.other)
        case CURLE_OPERATION_TIMEDOUT:
            return .timedOut
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return .invalidRequest
        default:
            return .transport
        }
    }

    /// The error for a finished transfer: libcurl's detailed message from the error buffer when
    /// it wrote one, its generic text otherwise.
    static func map(_ result: CURLcode, errorBuffer: UnsafePointer<CChar>, spec: TransferSpec) -> HTTPError {
        var message = String(cString: errorBuffer)
        if message.isEmpty { message = String(cString: curl_easy_strerror(result)) }
        return spec.error(code(for: result), message, curlCode: Int(result.rawValue))
    }
}
