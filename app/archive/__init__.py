"""The signed period archive: a ZIP of the export's CSV files, a manifest and its signature.

``manifest`` says what an archive holds and how it is signed, ``make`` builds
one (a supervisor's act, journaled), ``verify`` checks one offline with the
public key alone.
"""
