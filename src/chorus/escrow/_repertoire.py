"""The character repertoire of identifier normalisation v1: Unicode 15.0.

`EXCLUDED` lists the code points an identifier may not contain: those unassigned in Unicode 15.0
(general category Cn), private use (Co) and surrogates (Cs), as comma-separated hexadecimal
ranges `start+n`: the code points from `start` to `start + n` inclusive.

Why a frozen table: Python 3.12 ships Unicode 15.0 and browsers ship newer versions. For a
character assigned in both, NFKC, lower-casing and general categories agree (checked for every
code point); for one assigned later they can differ. Rejecting those keeps the two
implementations identical whatever Unicode version either runs. `frontend/src/escrow/repertoire.js`
holds the same string (tests compare both with each other and with `unicodedata`).
"""

from __future__ import annotations

from typing import Final

UNICODE_VERSION: Final = "15.0.0"

EXCLUDED: Final = (
    "378+1,380+3,38b+0,38d+0,3a2+0,530+0,557+1,58b+1,590+0,5c8+7,5eb+3,5f5+a,70e+0,74b+1,"
    "7b2+d,7fb+1,82e+1,83f+0,85c+1,85f+0,86b+4,88f+0,892+5,984+0,98d+1,991+1,9a9+0,9b1+0,"
    "9b3+2,9ba+1,9c5+1,9c9+1,9cf+7,9d8+3,9de+0,9e4+1,9ff+1,a04+0,a0b+3,a11+1,a29+0,a31+0,"
    "a34+0,a37+0,a3a+1,a3d+0,a43+3,a49+1,a4e+2,a52+6,a5d+0,a5f+6,a77+9,a84+0,a8e+0,a92+0,"
    "aa9+0,ab1+0,ab4+0,aba+1,ac6+0,aca+0,ace+1,ad1+e,ae4+1,af2+6,b00+0,b04+0,b0d+1,b11+1,"
    "b29+0,b31+0,b34+0,b3a+1,b45+1,b49+1,b4e+6,b58+3,b5e+0,b64+1,b78+9,b84+0,b8b+2,b91+0,"
    "b96+2,b9b+0,b9d+0,ba0+2,ba5+2,bab+2,bba+3,bc3+2,bc9+0,bce+1,bd1+5,bd8+d,bfb+4,c0d+0,"
    "c11+0,c29+0,c3a+1,c45+0,c49+0,c4e+6,c57+0,c5b+1,c5e+1,c64+1,c70+6,c8d+0,c91+0,ca9+0,"
    "cb4+0,cba+1,cc5+0,cc9+0,cce+6,cd7+5,cdf+0,ce4+1,cf0+0,cf4+b,d0d+0,d11+0,d45+0,d49+0,"
    "d50+3,d64+1,d80+0,d84+0,d97+2,db2+0,dbc+0,dbe+1,dc7+2,dcb+3,dd5+0,dd7+0,de0+5,df0+1,"
    "df5+b,e3b+3,e5c+24,e83+0,e85+0,e8b+0,ea4+0,ea6+0,ebe+1,ec5+0,ec7+0,ecf+0,eda+1,ee0+1f,"
    "f48+0,f6d+3,f98+0,fbd+0,fcd+0,fdb+24,10c6+0,10c8+4,10ce+1,1249+0,124e+1,1257+0,1259+0,"
    "125e+1,1289+0,128e+1,12b1+0,12b6+1,12bf+0,12c1+0,12c6+1,12d7+0,1311+0,1316+1,135b+1,"
    "137d+2,139a+5,13f6+1,13fe+1,169d+2,16f9+6,1716+8,1737+8,1754+b,176d+0,1771+0,1774+b,"
    "17de+1,17ea+5,17fa+5,181a+5,1879+6,18ab+4,18f6+9,191f+0,192c+3,193c+3,1941+2,196e+1,"
    "1975+a,19ac+3,19ca+5,19db+2,1a1c+1,1a5f+0,1a7d+1,1a8a+5,1a9a+5,1aae+1,1acf+30,1b4d+2,"
    "1b7f+0,1bf4+7,1c38+2,1c4a+2,1c89+6,1cbb+1,1cc8+7,1cfb+4,1f16+1,1f1e+1,1f46+1,1f4e+1,"
    "1f58+0,1f5a+0,1f5c+0,1f5e+0,1f7e+1,1fb5+0,1fc5+0,1fd4+1,1fdc+0,1ff0+1,1ff5+0,1fff+0,"
    "2065+0,2072+1,208f+0,209d+2,20c1+e,20f1+e,218c+3,2427+18,244b+14,2b74+1,2b96+0,2cf4+4,"
    "2d26+0,2d28+4,2d2e+1,2d68+6,2d71+d,2d97+8,2da7+0,2daf+0,2db7+0,2dbf+0,2dc7+0,2dcf+0,"
    "2dd7+0,2ddf+0,2e5e+21,2e9a+0,2ef4+b,2fd6+19,2ffc+3,3040+0,3097+1,3100+4,3130+0,318f+0,"
    "31e4+b,321f+0,a48d+2,a4c7+8,a62c+13,a6f8+7,a7cb+4,a7d2+0,a7d4+0,a7da+17,a82d+2,a83a+5,"
    "a878+7,a8c6+7,a8da+5,a954+a,a97d+2,a9ce+0,a9da+3,a9ff+0,aa37+8,aa4e+1,aa5a+1,aac3+17,"
    "aaf7+9,ab07+1,ab0f+1,ab17+8,ab27+0,ab2f+0,ab6c+3,abee+1,abfa+5,d7a4+b,d7c7+3,d7fc+2103,"
    "fa6e+1,fada+25,fb07+b,fb18+4,fb37+0,fb3d+0,fb3f+0,fb42+0,fb45+0,fbc3+f,fd90+1,fdc8+6,"
    "fdd0+1f,fe1a+5,fe53+0,fe67+0,fe6c+3,fe75+0,fefd+1,ff00+0,ffbf+2,ffc8+1,ffd0+1,ffd8+1,"
    "ffdd+2,ffe7+0,ffef+9,fffe+1,1000c+0,10027+0,1003b+0,1003e+0,1004e+1,1005e+21,100fb+4,"
    "10103+3,10134+2,1018f+0,1019d+2,101a1+2e,101fe+81,1029d+2,102d1+e,102fc+3,10324+8,"
    "1034b+4,1037b+4,1039e+0,103c4+3,103d6+29,1049e+1,104aa+5,104d4+3,104fc+3,10528+7,"
    "10564+a,1057b+0,1058b+0,10593+0,10596+0,105a2+0,105b2+0,105ba+0,105bd+42,10737+8,"
    "10756+9,10768+17,10786+0,107b1+0,107bb+44,10806+1,10809+0,10836+0,10839+2,1083d+1,"
    "10856+0,1089f+7,108b0+2f,108f3+0,108f6+4,1091c+2,1093a+4,10940+3f,109b8+3,109d0+1,"
    "10a04+0,10a07+4,10a14+0,10a18+0,10a36+1,10a3b+3,10a49+6,10a59+6,10aa0+1f,10ae7+3,"
    "10af7+8,10b36+2,10b56+1,10b73+4,10b92+6,10b9d+b,10bb0+4f,10c49+36,10cb3+c,10cf3+6,"
    "10d28+7,10d3a+125,10e7f+0,10eaa+0,10eae+1,10eb2+4a,10f28+7,10f5a+15,10f8a+25,10fcc+13,"
    "10ff7+8,1104e+3,11076+8,110c3+9,110ce+1,110e9+6,110fa+5,11135+0,11148+7,11177+8,111e0+0,"
    "111f5+a,11212+0,11242+3d,11287+0,11289+0,1128e+0,1129e+0,112aa+5,112eb+4,112fa+5,"
    "11304+0,1130d+1,11311+1,11329+0,11331+0,11334+0,1133a+0,11345+1,11349+1,1134e+1,11351+5,"
    "11358+4,11364+1,1136d+2,11375+8a,1145c+0,11462+1d,114c8+7,114da+a5,115b6+1,115de+21,"
    "11645+a,1165a+5,1166d+12,116ba+5,116ca+35,1171b+1,1172c+3,11747+b8,1183c+63,118f3+b,"
    "11907+1,1190a+1,11914+0,11917+0,11936+0,11939+1,11947+8,1195a+45,119a8+1,119d8+1,"
    "119e5+1a,11a48+7,11aa3+c,11af9+6,11b0a+f5,11c09+0,11c37+0,11c46+9,11c6d+2,11c90+1,"
    "11ca8+0,11cb7+48,11d07+0,11d0a+0,11d37+2,11d3b+0,11d3e+0,11d48+7,11d5a+5,11d66+0,"
    "11d69+0,11d8f+0,11d92+0,11d99+6,11daa+135,11ef9+6,11f11+0,11f3b+2,11f5a+55,11fb1+e,"
    "11ff2+c,1239a+65,1246f+0,12475+a,12544+a4b,12ff3+c,13456+fa9,14647+21b8,16a39+6,16a5f+0,"
    "16a6a+3,16abf+0,16aca+5,16aee+1,16af6+9,16b46+9,16b5a+0,16b62+0,16b78+4,16b90+2af,"
    "16e9b+64,16f4b+3,16f88+6,16fa0+3f,16fe5+a,16ff2+d,187f8+7,18cd6+29,18d09+22e6,1aff4+0,"
    "1affc+0,1afff+0,1b123+e,1b133+1c,1b153+1,1b156+d,1b168+7,1b2fc+903,1bc6b+4,1bc7d+2,"
    "1bc89+6,1bc9a+1,1bca4+125b,1cf2e+1,1cf47+8,1cfc4+3b,1d0f6+9,1d127+1,1d1eb+14,1d246+79,"
    "1d2d4+b,1d2f4+b,1d357+8,1d379+86,1d455+0,1d49d+0,1d4a0+1,1d4a3+1,1d4a7+1,1d4ad+0,"
    "1d4ba+0,1d4bc+0,1d4c4+0,1d506+0,1d50b+1,1d515+0,1d51d+0,1d53a+0,1d53f+0,1d545+0,1d547+2,"
    "1d551+0,1d6a6+1,1d7cc+1,1da8c+e,1daa0+0,1dab0+44f,1df1f+5,1df2b+d4,1e007+0,1e019+1,"
    "1e022+0,1e025+0,1e02b+4,1e06e+20,1e090+6f,1e12d+2,1e13e+1,1e14a+3,1e150+13f,1e2af+10,"
    "1e2fa+4,1e300+1cf,1e4fa+2e5,1e7e7+0,1e7ec+0,1e7ef+0,1e7ff+0,1e8c5+1,1e8d7+28,1e94c+3,"
    "1e95a+3,1e960+310,1ecb5+4b,1ed3e+c1,1ee04+0,1ee20+0,1ee23+0,1ee25+1,1ee28+0,1ee33+0,"
    "1ee38+0,1ee3a+0,1ee3c+5,1ee43+3,1ee48+0,1ee4a+0,1ee4c+0,1ee50+0,1ee53+0,1ee55+1,1ee58+0,"
    "1ee5a+0,1ee5c+0,1ee5e+0,1ee60+0,1ee63+0,1ee65+1,1ee6b+0,1ee73+0,1ee78+0,1ee7d+0,1ee7f+0,"
    "1ee8a+0,1ee9c+4,1eea4+0,1eeaa+0,1eebc+33,1eef2+10d,1f02c+3,1f094+b,1f0af+1,1f0c0+0,"
    "1f0d0+0,1f0f6+9,1f1ae+37,1f203+c,1f23c+3,1f249+6,1f252+d,1f266+99,1f6d8+3,1f6ed+2,"
    "1f6fd+2,1f777+3,1f7da+5,1f7ec+3,1f7f1+e,1f80c+3,1f848+7,1f85a+5,1f888+7,1f8ae+1,"
    "1f8b2+4d,1fa54+b,1fa6e+1,1fa7d+2,1fa89+6,1fabe+0,1fac6+7,1fadc+3,1fae9+6,1faf9+6,"
    "1fb93+0,1fbcb+24,1fbfa+405,2a6e0+1f,2b73a+5,2b81e+1,2cea2+d,2ebe1+c1e,2fa1e+5e1,3134b+4,"
    "323b0+adc50,e0002+1d,e0080+7f,e01f0+2fe0f"
)
