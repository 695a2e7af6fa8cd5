from scanner.logsetup import redact


def test_token_shapes_are_masked():
    samples = {
        "headers={'Authorization': b'AWS4-HMAC-SHA256 Credential=AKIAX/2026/us-east-1/ec2/aws4_request, "
        "SignedHeaders=host, Signature=abcdef0123'}": ("AKIAX", "abcdef0123"),
        "Authorization: Bearer eyJhbGciOi.JSUzI1.NiIsInR5": ("eyJhbGciOi",),
        '{"access_token": "ya29.A0ARrdaM", "expires_in": 3599}': ("ya29.A0ARrdaM",),
        "'X-Amz-Security-Token': b'FwoGZXIvYXdzEJr'": ("FwoGZXIvYXdzEJr",),
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----": ("MIIEvQIBADANBg",),
    }
    for text, secrets in samples.items():
        out = redact(text)
        for secret in secrets:
            assert secret not in out, out


def test_environment_values_are_masked_anywhere():
    assert redact("key is s3cr3t-value here", ("s3cr3t-value",)) == "key is *** here"
